// Command interop lets Trailmark's tests ask Go's golang.org/x/mod/sumdb/note and
// sumdb/tlog, an implementation nobody here wrote, to sign, open, hash and prove.
//
// Input on stdin: a JSON array of requests. Output on stdout: a JSON array with one
// response per request, in order. A request is {"op": "...", ...fields}; a response
// carries the op's result fields, or {"error": "..."} when Go refused the request.
// Hashes and leaves travel as standard base64. Ops:
//
//	generateKey {name}                        note.GenerateKey → {signerKey, verifierKey}
//	parseSignerKey {signerKey}                note.NewSigner → {name, keyId}
//	parseVerifierKey {verifierKey}            note.NewVerifier → {name, keyId}
//	sign {text, signerKeys}                   note.Sign → {note}
//	open {note, verifierKeys}                 note.Open → {text, verified, unverified}
//	treeHashes {leaves}                       tlog.TreeHash of every prefix → {roots} (roots[k]: size k+1)
//	proveRecord {leaves, queries}             tlog.ProveRecord per [size, index] → {proofs}
//	proveTree {leaves, queries}               tlog.ProveTree per [oldSize, size] → {proofs}
//	checkRecord {proof, size, root, index, leafHash}     tlog.CheckRecord → {ok}
//	checkTree {proof, size, root, oldSize, oldRoot}      tlog.CheckTree → {ok}
//
// Build: GO111MODULE=off GOPATH=<dir holding src/golang.org/x/mod> go build
package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type request struct {
	Op           string     `json:"op"`
	Name         string     `json:"name"`
	Text         string     `json:"text"`
	Note         string     `json:"note"`
	SignerKey    string     `json:"signerKey"`
	VerifierKey  string     `json:"verifierKey"`
	SignerKeys   []string   `json:"signerKeys"`
	VerifierKeys []string   `json:"verifierKeys"`
	Leaves       [][]byte   `json:"leaves"` // base64 in JSON
	Size         int64      `json:"size"`
	Index        int64      `json:"index"`
	OldSize      int64      `json:"oldSize"`
	Queries      [][2]int64 `json:"queries"` // proveRecord: [size, index]; proveTree: [oldSize, size]
	Root         []byte     `json:"root"`
	OldRoot      []byte     `json:"oldRoot"`
	LeafHash     []byte     `json:"leafHash"`
	Proof        [][]byte   `json:"proof"`
}

type signature struct {
	Name  string `json:"name"`
	KeyID uint32 `json:"keyId"`
}

type response map[string]interface{}

func main() {
	var requests []request
	if err := json.NewDecoder(os.Stdin).Decode(&requests); err != nil {
		fmt.Fprintln(os.Stderr, "interop: reading requests:", err)
		os.Exit(2)
	}
	responses := make([]response, len(requests))
	for i, r := range requests {
		result, err := handle(r)
		if err != nil {
			result = response{"error": err.Error()}
		}
		responses[i] = result
	}
	if err := json.NewEncoder(os.Stdout).Encode(responses); err != nil {
		fmt.Fprintln(os.Stderr, "interop: writing responses:", err)
		os.Exit(2)
	}
}

func handle(r request) (response, error) {
	switch r.Op {
	case "generateKey":
		skey, vkey, err := note.GenerateKey(rand.Reader, r.Name)
		return response{"signerKey": skey, "verifierKey": vkey}, err
	case "parseSignerKey":
		s, err := note.NewSigner(r.SignerKey)
		if err != nil {
			return nil, err
		}
		return response{"name": s.Name(), "keyId": s.KeyHash()}, nil
	case "parseVerifierKey":
		v, err := note.NewVerifier(r.VerifierKey)
		if err != nil {
			return nil, err
		}
		return response{"name": v.Name(), "keyId": v.KeyHash()}, nil
	case "sign":
		return sign(r)
	case "open":
		return open(r)
	case "treeHashes":
		return treeHashes(r.Leaves)
	case "proveRecord":
		return prove(r, func(store memoryHashes, q [2]int64) ([]tlog.Hash, error) {
			return tlog.ProveRecord(q[0], q[1], store)
		})
	case "proveTree":
		return prove(r, func(store memoryHashes, q [2]int64) ([]tlog.Hash, error) {
			return tlog.ProveTree(q[1], q[0], store)
		})
	case "checkRecord":
		proof, err := hashesIn(r.Proof)
		if err != nil {
			return nil, err
		}
		root, err := hashIn(r.Root)
		if err != nil {
			return nil, err
		}
		leafHash, err := hashIn(r.LeafHash)
		if err != nil {
			return nil, err
		}
		return response{"ok": true}, tlog.CheckRecord(proof, r.Size, root, r.Index, leafHash)
	case "checkTree":
		proof, err := hashesIn(r.Proof)
		if err != nil {
			return nil, err
		}
		root, err := hashIn(r.Root)
		if err != nil {
			return nil, err
		}
		oldRoot, err := hashIn(r.OldRoot)
		if err != nil {
			return nil, err
		}
		return response{"ok": true}, tlog.CheckTree(proof, r.Size, root, r.OldSize, oldRoot)
	}
	return nil, fmt.Errorf("unknown op %q", r.Op)
}

func sign(r request) (response, error) {
	signers := make([]note.Signer, len(r.SignerKeys))
	for i, skey := range r.SignerKeys {
		s, err := note.NewSigner(skey)
		if err != nil {
			return nil, err
		}
		signers[i] = s
	}
	msg, err := note.Sign(&note.Note{Text: r.Text}, signers...)
	if err != nil {
		return nil, err
	}
	return response{"note": string(msg)}, nil
}

func open(r request) (response, error) {
	verifiers := make([]note.Verifier, len(r.VerifierKeys))
	for i, vkey := range r.VerifierKeys {
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, err
		}
		verifiers[i] = v
	}
	n, err := note.Open([]byte(r.Note), note.VerifierList(verifiers...))
	if err != nil {
		return nil, err
	}
	return response{"text": n.Text, "verified": signaturesOut(n.Sigs), "unverified": signaturesOut(n.UnverifiedSigs)}, nil
}

// prove answers one proof per query over the tree of r.Leaves, or the first error.
func prove(r request, proveOne func(memoryHashes, [2]int64) ([]tlog.Hash, error)) (response, error) {
	store, err := storeLeaves(r.Leaves)
	if err != nil {
		return nil, err
	}
	proofs := make([][]string, len(r.Queries))
	for i, q := range r.Queries {
		p, err := proveOne(store, q)
		if err != nil {
			return nil, fmt.Errorf("query %v: %v", q, err)
		}
		proofs[i] = hashesOut(p)
	}
	return response{"proofs": proofs}, nil
}

func signaturesOut(sigs []note.Signature) []signature {
	out := make([]signature, len(sigs))
	for i, s := range sigs {
		out[i] = signature{Name: s.Name, KeyID: s.Hash}
	}
	return out
}

// memoryHashes is a tlog.HashReader over the stored hashes of a whole tree,
// indexed by tlog.StoredHashIndex.
type memoryHashes []tlog.Hash

func (m memoryHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, index := range indexes {
		if index < 0 || index >= int64(len(m)) {
			return nil, fmt.Errorf("stored hash %d not written yet", index)
		}
		out[i] = m[index]
	}
	return out, nil
}

func storeLeaves(leaves [][]byte) (memoryHashes, error) {
	var store memoryHashes
	for n, leaf := range leaves {
		hashes, err := tlog.StoredHashes(int64(n), leaf, store)
		if err != nil {
			return nil, err
		}
		store = append(store, hashes...)
	}
	return store, nil
}

// treeHashes answers the root of every prefix of the leaves: roots[k] is the tree of size k+1.
func treeHashes(leaves [][]byte) (response, error) {
	store, err := storeLeaves(leaves)
	if err != nil {
		return nil, err
	}
	roots := make([]string, len(leaves))
	for n := range leaves {
		root, err := tlog.TreeHash(int64(n+1), store)
		if err != nil {
			return nil, err
		}
		roots[n] = base64.StdEncoding.EncodeToString(root[:])
	}
	return response{"roots": roots}, nil
}

func hashIn(b []byte) (tlog.Hash, error) {
	var h tlog.Hash
	if len(b) != tlog.HashSize {
		return h, fmt.Errorf("hash is %d bytes, want %d", len(b), tlog.HashSize)
	}
	copy(h[:], b)
	return h, nil
}

func hashesIn(list [][]byte) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, b := range list {
		h, err := hashIn(b)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func hashesOut(list []tlog.Hash) []string {
	out := make([]string, len(list))
	for i, h := range list {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}
