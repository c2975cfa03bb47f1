// Command tiles checks a Trailmark log through its C2SP tlog-tiles API with Go's
// golang.org/x/mod/sumdb/tlog, an implementation nobody here wrote: a TileHashReader over
// an HTTP TileReader, authenticated against the signed checkpoint (sumdb/note).
//
// Input on stdin: {"prefix", "verifierKey", "indexes": [...], "oldTrees": [{"size", "root"}]}.
// Output on stdout: {"size", "root", "treeHash", "records": [{"index", "ok"}], "trees": [{"size", "ok"}],
// "tiles": n} or {"error"}. For every level-0 tile of the tree, tlog.ReadTileData (through the
// authenticating reader) must hold the RecordHash of each entry of the matching entry bundle.
//
// Build: GO111MODULE=off GOPATH=<dir holding src/golang.org/x/mod> go build
package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type request struct {
	Prefix      string  `json:"prefix"`
	VerifierKey string  `json:"verifierKey"`
	Indexes     []int64 `json:"indexes"`
	OldTrees    []struct {
		Size int64  `json:"size"`
		Root []byte `json:"root"`
	} `json:"oldTrees"`
}

type result struct {
	Size     int64            `json:"size"`
	Root     string           `json:"root"`
	TreeHash string           `json:"treeHash"`
	Records  []map[string]any `json:"records"`
	Trees    []map[string]any `json:"trees"`
	Tiles    int              `json:"tiles"`
}

// httpTiles reads C2SP tiles: Go's own paths are "tile/<H>/<L>/<N>", C2SP's drop the height.
type httpTiles struct{ prefix string }

func (h httpTiles) Height() int { return 8 }

func (h httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		body, err := get(h.prefix + "tile/" + strings.TrimPrefix(t.Path(), "tile/8/"))
		if err != nil {
			return nil, err
		}
		data[i] = body
	}
	return data, nil
}

func (h httpTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func get(url string) ([]byte, error) {
	response, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	if response.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", url, response.Status)
	}
	return io.ReadAll(response.Body)
}

func main() {
	var r request
	if err := json.NewDecoder(os.Stdin).Decode(&r); err != nil {
		fmt.Fprintln(os.Stderr, "tiles: reading the request:", err)
		os.Exit(2)
	}
	out, err := check(r)
	var answer any = out
	if err != nil {
		answer = map[string]string{"error": err.Error()}
	}
	if err := json.NewEncoder(os.Stdout).Encode(answer); err != nil {
		os.Exit(2)
	}
}

func check(r request) (*result, error) {
	verifier, err := note.NewVerifier(r.VerifierKey)
	if err != nil {
		return nil, err
	}
	signed, err := get(r.Prefix + "checkpoint")
	if err != nil {
		return nil, err
	}
	opened, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 {
		return nil, fmt.Errorf("checkpoint has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return nil, err
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return nil, err
	}
	tree := tlog.Tree{N: size, Hash: root}
	reader := tlog.TileHashReader(tree, httpTiles{r.Prefix})
	treeHash, err := tlog.TreeHash(size, reader)
	if err != nil {
		return nil, err
	}
	out := &result{Size: size, Root: root.String(), TreeHash: treeHash.String()}

	for _, index := range r.Indexes {
		proof, err := tlog.ProveRecord(size, index, reader)
		if err != nil {
			return nil, err
		}
		leaf, err := entry(r.Prefix, size, index)
		if err != nil {
			return nil, err
		}
		checked := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(leaf))
		out.Records = append(out.Records, map[string]any{"index": index, "ok": checked == nil, "error": fmt.Sprint(checked)})
	}
	for _, old := range r.OldTrees {
		proof, err := tlog.ProveTree(size, old.Size, reader)
		if err != nil {
			return nil, err
		}
		var oldRoot tlog.Hash
		copy(oldRoot[:], old.Root)
		checked := tlog.CheckTree(proof, size, root, old.Size, oldRoot)
		out.Trees = append(out.Trees, map[string]any{"size": old.Size, "ok": checked == nil, "error": fmt.Sprint(checked)})
	}
	for n := int64(0); n*256 < size; n++ {
		w := size - n*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: 8, L: 0, N: n, W: int(w)}
		hashes, err := tlog.ReadTileData(t, reader)
		if err != nil {
			return nil, err
		}
		entries, err := bundle(r.Prefix, n, int(w))
		if err != nil {
			return nil, err
		}
		for i, e := range entries {
			h := tlog.RecordHash(e)
			if string(h[:]) != string(hashes[i*32:(i+1)*32]) {
				return nil, fmt.Errorf("entry %d of bundle %d does not hash to its tile", i, n)
			}
		}
		out.Tiles++
	}
	return out, nil
}

func entry(prefix string, size, index int64) ([]byte, error) {
	n := index / 256
	w := size - n*256
	if w > 256 {
		w = 256
	}
	entries, err := bundle(prefix, n, int(w))
	if err != nil {
		return nil, err
	}
	return entries[index%256], nil
}

// bundle fetches tile/entries/<N>[.p/<W>]: uint16 big-endian length-prefixed entries.
func bundle(prefix string, n int64, w int) ([][]byte, error) {
	path := tlog.Tile{H: 8, L: 0, N: n, W: w}.Path()
	body, err := get(prefix + "tile/entries/" + strings.TrimPrefix(path, "tile/8/0/"))
	if err != nil {
		return nil, err
	}
	var entries [][]byte
	for len(body) > 0 {
		if len(body) < 2 {
			return nil, fmt.Errorf("bundle %d: truncated length", n)
		}
		length := int(binary.BigEndian.Uint16(body))
		if len(body) < 2+length {
			return nil, fmt.Errorf("bundle %d: truncated entry", n)
		}
		entries = append(entries, body[2:2+length])
		body = body[2+length:]
	}
	if len(entries) != w {
		return nil, fmt.Errorf("bundle %d holds %d entries, want %d", n, len(entries), w)
	}
	return entries, nil
}
