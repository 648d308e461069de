// Validates an AsyncAPI document with the official parser: prints every diagnostic as one JSON line
// and exits 1 if any is an error (or the document cannot be parsed at all), 0 otherwise.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "information", "hint"];
const path = process.argv[2];
if (!path) {
  console.error("usage: node check.mjs <asyncapi document>");
  process.exit(2);
}
const { document, diagnostics } = await new Parser().parse(await readFile(path, "utf8"), { source: path });
let errors = 0;
for (const d of diagnostics) {
  const severity = SEVERITY[d.severity] ?? String(d.severity);
  if (severity === "error") errors += 1;
  console.log(JSON.stringify({ severity, code: d.code, message: d.message, path: d.path.join("/") }));
}
process.exit(errors > 0 || document === undefined ? 1 : 0);
