// The SPARQL query page of kg serve: posts the query to /query on this server and shows the answer.
// Everything from the answer goes into the page as text (textContent), never as markup.
"use strict";

(function () {
  const form = document.getElementById("editor");
  const query = document.getElementById("query");
  const examples = document.getElementById("examples");
  const question = document.getElementById("question");
  const state = document.getElementById("state");
  const results = document.getElementById("results");
  const named = JSON.parse(document.getElementById("named-queries").textContent);

  named.forEach(function (item, index) {
    const option = document.createElement("option");
    option.value = String(index);
    option.textContent = item.name;
    examples.appendChild(option);
  });
  examples.addEventListener("change", function () {
    const item = named[Number(examples.value)];
    if (examples.value !== "" && item) {
      query.value = item.text;
      question.textContent = item.question;
    } else {
      question.textContent = "";
    }
  });

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" && /^https?:\/\//.test(term.value)) {
      const link = document.createElement("a");
      const base = "https://w3id.org/positions-kg/";
      link.href = term.value.startsWith(base) ? "/" + term.value.slice(base.length) : term.value;
      link.textContent = term.value;
      td.appendChild(link);
    } else {
      td.textContent = term.value + (term["xml:lang"] ? " @" + term["xml:lang"] : "");
    }
    return td;
  }

  function table(answer) {
    const out = document.createElement("table");
    out.id = "answer";
    if (answer.boolean !== undefined) {
      out.appendChild(document.createElement("tr")).appendChild(document.createElement("td")).textContent =
        String(answer.boolean);
      return out;
    }
    const head = out.appendChild(document.createElement("thead")).appendChild(document.createElement("tr"));
    answer.head.vars.forEach(function (name) {
      head.appendChild(document.createElement("th")).textContent = name;
    });
    const body = out.appendChild(document.createElement("tbody"));
    answer.results.bindings.forEach(function (row) {
      const tr = body.appendChild(document.createElement("tr"));
      answer.head.vars.forEach(function (name) {
        tr.appendChild(cell(row[name]));
      });
    });
    return out;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    state.textContent = "running…";
    results.replaceChildren();
    const started = performance.now();
    fetch("/query", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: new URLSearchParams({ query: query.value }),
    })
      .then(function (response) {
        return response.text().then(function (text) {
          return { response: response, text: text };
        });
      })
      .then(function (got) {
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        const kind = got.response.headers.get("Content-Type") || "";
        if (!got.response.ok) {
          state.textContent = "HTTP " + got.response.status + " after " + seconds + " s";
          const pre = results.appendChild(document.createElement("pre"));
          pre.className = "error";
          pre.textContent = got.text;
        } else if (kind.startsWith("application/sparql-results+json")) {
          const answer = JSON.parse(got.text);
          const rows = answer.results ? answer.results.bindings.length : 1;
          state.textContent = rows + " row(s) in " + seconds + " s";
          results.appendChild(table(answer));
        } else {
          state.textContent = "answer in " + seconds + " s";
          results.appendChild(document.createElement("pre")).textContent = got.text;
        }
      })
      .catch(function (error) {
        state.textContent = "the server did not answer: " + error;
      });
  });
})();
