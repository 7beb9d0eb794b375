// Prints the widget's size: source, minified and minified+gzipped bytes.
const fs = require("fs");
const zlib = require("zlib");
for (const [source, minified] of [["src/sepsis-chat.js", "dist/sepsis-chat.min.js"], ["src/sepsis-chat.css", "dist/sepsis-chat.min.css"]]) {
  const min = fs.readFileSync(minified);
  const gz = zlib.gzipSync(min, { level: 9 }).length;
  console.log(`${minified}: ${fs.statSync(source).size} B source, ${min.length} B minified, ${gz} B gzipped`);
}
