// The report's interactions: charts drawn by vega-embed from the inline specifications, and the
// evidence view of a matrix cell. Every text from the data goes into the page as a text node
// (never as HTML), so labels and quotes cannot inject markup.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("kg-data").textContent);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // The article text with the position's spans marked (overlapping spans are merged).
  function markedText(text, spans) {
    const box = el("div", null, "kg-text");
    const sorted = spans.slice().sort((a, b) => a.start - b.start || a.end - b.end);
    const merged = [];
    for (const s of sorted) {
      const last = merged[merged.length - 1];
      if (last && s.start <= last.end) {
        last.end = Math.max(last.end, s.end);
        last.titles.push(s.title);
      } else {
        merged.push({ start: s.start, end: s.end, titles: [s.title] });
      }
    }
    const chars = Array.from(text); // offsets count code points
    let at = 0;
    for (const m of merged) {
      if (m.start > at) box.appendChild(document.createTextNode(chars.slice(at, m.start).join("")));
      const mark = el("mark", chars.slice(m.start, m.end).join(""));
      mark.title = m.titles.join("\n");
      box.appendChild(mark);
      at = Math.max(at, m.end);
    }
    box.appendChild(document.createTextNode(chars.slice(at).join("")));
    return box;
  }

  function describe(e) {
    return [e.speaker, e.capacity, e.venue, e.date || "undated"].filter(Boolean).join(" · ");
  }

  function showCell(index) {
    const cell = data.cells[index];
    if (!cell) return;
    document.querySelectorAll(".kg-cell button").forEach((b) => b.classList.toggle("kg-selected", b.dataset.cell === String(index)));
    const box = document.getElementById("kg-evidence");
    box.replaceChildren();
    box.appendChild(el("h3", cell.holder + " — " + cell.action));
    for (const iri of cell.positions) {
      const p = data.positions[iri];
      if (!p) continue;
      const block = el("div", null, "kg-position");
      block.appendChild(el("h4", p.holders.join(", ") + ": " + p.stance + (p.modality && p.modality !== "asserted" ? " (" + p.modality + ")" : "") + " — " + p.action));
      if (p.conditions.length) {
        const list = el("ul", null, "kg-conditions");
        for (const c of p.conditions) list.appendChild(el("li", c[0] + " (" + c[1] + "): " + c[2]));
        block.appendChild(list);
      } else {
        block.appendChild(el("p", "No condition."));
      }
      const byArticle = new Map();
      for (const e of p.evidence) {
        if (!byArticle.has(e.article)) byArticle.set(e.article, []);
        byArticle.get(e.article).push(e);
      }
      for (const [article, spans] of byArticle) {
        const about = data.articles[article] || {};
        block.appendChild(el("p", [about.headline || article, about.outlet, (about.published || "").slice(0, 10)].filter(Boolean).join(" · "), "kg-quote-meta"));
        const quotes = el("ul", null, "kg-quotes");
        for (const e of spans) {
          const item = el("li");
          item.appendChild(el("q", e.quote));
          item.appendChild(el("span", " — " + e.kind + "; " + describe(e), "kg-quote-meta"));
          quotes.appendChild(item);
        }
        block.appendChild(quotes);
        if (about.text) {
          block.appendChild(markedText(about.text, spans.map((e) => ({ start: e.start, end: e.end, title: e.quote + "\n" + describe(e) }))));
        }
      }
      box.appendChild(block);
    }
    const first = box.querySelector("mark");
    if (first) first.scrollIntoView({ block: "nearest" });
  }

  document.querySelectorAll(".kg-cell button").forEach((b) => b.addEventListener("click", () => showCell(Number(b.dataset.cell))));

  if (window.vegaEmbed) {
    for (const [name, spec] of Object.entries(data.specs)) {
      const target = document.getElementById("chart-" + name);
      if (!target) continue;
      window.vegaEmbed(target, spec, { actions: false, renderer: "svg" }).then((result) => {
        if (name === "matrix") {
          result.view.addEventListener("click", (event, item) => {
            if (item && item.datum && item.datum.cell !== undefined) showCell(item.datum.cell);
          });
        }
      }).catch((err) => console.error(err));
    }
  }
  window.kgShowCell = showCell;
})();
