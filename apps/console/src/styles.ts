/** One stylesheet for the console and the element (the element puts it in its shadow root). Colours pass WCAG AA. */
export const STYLES = `
:host, body { font: 15px/1.4 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
main, .viewer { padding: 1rem; }
nav { display: flex; gap: .5rem; padding: .5rem 1rem; background: #12324f; }
nav button { background: transparent; color: #fff; border: 1px solid transparent; }
nav button[aria-current="page"] { border-color: #fff; }
button { font: inherit; padding: .3rem .7rem; border-radius: 4px; border: 1px solid #0b4f9c; background: #0b4f9c; color: #fff; cursor: pointer; }
button.link { background: none; color: #0b4f9c; border: none; text-decoration: underline; }
button:focus-visible, input:focus-visible, select:focus-visible, [tabindex]:focus-visible { outline: 3px solid #e0a100; outline-offset: 1px; }
label { display: inline-flex; flex-direction: column; font-size: .85rem; gap: .15rem; margin: 0 .5rem .5rem 0; }
input, select { font: inherit; padding: .25rem; border: 1px solid #555; border-radius: 3px; }
.filters { display: flex; flex-wrap: wrap; align-items: flex-end; }
.presets { display: flex; gap: .25rem; margin: 0 .5rem .5rem 0; }
.virtual-list { overflow-y: auto; border: 1px solid #999; position: relative; }
.virtual-list ul { list-style: none; margin: 0; padding: 0; position: relative; }
.virtual-list li { position: absolute; left: 0; right: 0; }
.row { display: grid; grid-template-columns: 4rem 10rem 12rem 5rem 8rem 1fr; gap: .5rem; width: 100%; height: 100%; text-align: left; align-items: center; }
.virtual-list .row { background: #fff; color: #1a1a1a; border: 0; border-bottom: 1px solid #ddd; border-radius: 0; }
.virtual-list .row:hover { background: #eef4fb; }
.row.head { font-weight: 600; padding: .3rem .7rem; }
.outcome.failure, .outcome.error, .step.failed, .verdict.failed { color: #a00000; }
.step.ok, .verdict.ok { color: #0a6b20; }
.step.not-reached { color: #555; }
.verdict { font-weight: 700; }
.detail { border-top: 2px solid #12324f; margin-top: 1rem; }
.detail header { display: flex; justify-content: space-between; align-items: center; }
pre { background: #f4f4f4; padding: .5rem; overflow-x: auto; }
pre.wrap, .mono { font-family: ui-monospace, monospace; word-break: break-all; white-space: pre-wrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
figure.histogram { margin: 0 0 .75rem; max-width: 40rem; } figure.histogram figcaption, .histogram-range { font-size: .85rem; margin: 0; }
table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .25rem .5rem; text-align: left; }
`;
