// Generates src/shared/generated/protocol.ts, the TypeScript types of the real-time protocol,
// from the JSON Schema the server prints (`helpline schema`, from the pydantic models). Run by
// `npm run generate`, which the build and lint scripts run first. The output is not committed
// and never edited by hand. HELPLINE_BIN names the CLI; by default the repository's virtualenv.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const cli = process.env.HELPLINE_BIN || fileURLToPath(new URL("../../.venv/bin/helpline", import.meta.url));
const out = fileURLToPath(new URL("../src/shared/generated/protocol.ts", import.meta.url));

if (!existsSync(cli)) {
  console.error(`protocol-types: ${cli} is missing; run \`make install\` first (or set HELPLINE_BIN).`);
  process.exit(1);
}
const schema = JSON.parse(execFileSync(cli, ["schema"], { encoding: "utf8" }));
const banner = [
  "// Generated from the server's models by web/scripts/protocol-types.mjs (`helpline schema`).",
  "// Do not edit: change the pydantic models in src/helpline and rebuild.",
].join("\n");
const ts = await compile(schema, "Protocol", {
  bannerComment: banner,
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: true,
  style: { printWidth: 120 },
});
mkdirSync(dirname(out), { recursive: true });
if (!existsSync(out) || readFileSync(out, "utf8") !== ts) writeFileSync(out, ts);
