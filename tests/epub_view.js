// Look at an EPUB's XHTML page as a phone's reading system shows it: Debian's Chromium
// (driven by the Puppeteer that DAISY Ace brings, package-lock.json), 400 px wide, light or
// dark (`prefers-color-scheme` emulated, and in dark a reader's night theme: a dark page and
// light text on the root). Prints JSON of what a test judges (tests/test_epub_polish.py):
//   tables: per table wrapper, whether it scrolls, its and its table's width, the words of
//           its cells broken over two lines, the alignment of its right-aligned cells;
//   text:   elements whose own text is below 4.5:1 on what is painted under it;
//   boxes:  elements painting a light background on a dark page;
//   rules:  borders that cannot be told from what is under them (below 1.4:1).
// usage: node epub_view.js FILE.xhtml light|dark [SCREENSHOT.png]
const puppeteer = require("puppeteer-core");

async function main() {
  const [file, scheme, shot] = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 400, height: 800 });
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    await page.goto("file://" + file, { waitUntil: "load" });
    if (scheme === "dark") {
      await page.addStyleTag({ content: "html, body { background: #121212; color: #d0d0d0; }" });
    }
    const found = await page.evaluate(judge);
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(JSON.stringify(found));
  } finally {
    await browser.close();
  }
}

function judge() {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const canvas = (() => {   // the page's colour: the root's, else the body's, else white
    for (const el of [document.documentElement, document.body]) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c[3] > 0) return over(c, [255, 255, 255, 1]);
    }
    return [255, 255, 255, 1];
  })();
  const under = (el) => {   // what is painted under an element's content
    const chain = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) chain.unshift(e);
    let color = canvas;
    for (const e of chain) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) color = over(c, color);
    }
    return color;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
    ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const out = { canvas, tables: [], text: [], boxes: [], rules: [] };
  const dark = lum(canvas) < 0.2;
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const bg = under(el);
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) {
      const fg = over(parse(style.color), bg);
      const r = ratio(fg, bg);
      if (r < 4.5) out.text.push({ element: name(el), text: el.textContent.trim().slice(0, 40), ratio: +r.toFixed(2) });
    }
    const paint = parse(style.backgroundColor);
    if (dark && paint[3] > 0 && lum(bg) > 0.3) out.boxes.push({ element: name(el), luminance: +lum(bg).toFixed(2) });
    for (const side of ["Top", "Right", "Bottom", "Left"]) {
      if (parseFloat(style["border" + side + "Width"]) > 0 && style["border" + side + "Style"] !== "none") {
        const r = ratio(over(parse(style["border" + side + "Color"]), bg), bg);
        if (r < 1.4) out.rules.push({ element: name(el), side, ratio: +r.toFixed(2) });
      }
    }
  }
  for (const wrap of document.querySelectorAll(".table-wrap")) {
    const table = wrap.querySelector("table");
    const broken = [];
    for (const cell of table.querySelectorAll("td, th")) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const re = /\S+/g;
        let m;
        while ((m = re.exec(node.textContent))) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(m[0]);
        }
      }
    }
    out.tables.push({
      scrolls: wrap.scrollWidth > wrap.clientWidth, wrap: wrap.clientWidth,
      table: Math.round(table.getBoundingClientRect().width), columns: table.rows[0].cells.length,
      broken, overflow: getComputedStyle(wrap).overflowX,
      // cells Pandoc marked right-aligned (a column of numbers), as the reader sets them
      right: [...table.querySelectorAll("td")].filter((td) => td.style.textAlign === "right")
        .map((td) => getComputedStyle(td).textAlign),
    });
  }
  return out;
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(2);
});
