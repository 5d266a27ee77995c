// Copy the front-end assets Frontline serves from node_modules into the git-ignored static folder.
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "src/frontline/static/vendor");
const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts.min.js",
};
mkdirSync(target, { recursive: true });
for (const [source, name] of Object.entries(files)) {
  cpSync(join(root, "node_modules", source), join(target, name));
}
console.log(`copied ${Object.keys(files).length} assets to ${target}`);
