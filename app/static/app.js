// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // "Add a team" clones the last row in place instead of a round trip to the server.
  const addTeam = document.querySelector("[data-add-team]");
  const body = document.querySelector("[data-teams] tbody");
  if (addTeam && body) {
    addTeam.addEventListener("click", (event) => {
      event.preventDefault();
      const rows = body.querySelectorAll("[data-team-row]");
      const next = rows[rows.length - 1].cloneNode(true);
      const index = rows.length;
      next.querySelectorAll("input").forEach((input) => {
        // A cloned row is a new team: it must not carry the hidden id of the row it was copied from.
        input.name = input.name.replace(/teams-\d+-/, `teams-${index}-`);
        input.id = input.id.replace(/teams-\d+-/, `teams-${index}-`);
        input.value = "";
        input.classList.remove("has-error");
      });
      next.querySelectorAll(".error").forEach((e) => e.remove());
      body.appendChild(next);
      next.querySelector("input").focus();
    });
  }
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const input = button.parentElement.querySelector("[data-invite-link]");
      input.select();
      navigator.clipboard?.writeText(input.value);
    });
  });
  // Charts: plotly.js (served by the app) draws each figure; its table stays for screen readers and shows
  // again on request. Without JavaScript or plotly the tables are the page.
  if (window.Plotly) {
    document.querySelectorAll("[data-plotly]").forEach((el) => {
      const source = document.getElementById(`fig-${el.dataset.plotly}`);
      if (!source) return;
      const fig = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, fig.data, fig.layout, { displayModeBar: false, responsive: true });
      const table = el.parentElement.querySelector(".chart-table");
      if (!table) return;
      table.classList.add("visually-hidden");
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "link chart-toggle";
      toggle.textContent = el.closest("[data-show-table]")?.dataset.showTable || "Table";
      toggle.addEventListener("click", () => {
        table.classList.toggle("visually-hidden");
      });
      el.after(toggle);
    });
  }

  // An error summary takes focus, so a screen reader reads it and the keyboard starts there.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // Destructive actions ask first, naming the person and the effect (the text comes from the page).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // Amounts: "450万" reads as "= ¥4,500,000" while it is typed (same rules as app/forms.py parse_amount).
  const units = [["億", 100000000], ["万", 10000], ["千", 1000]];
  const parseAmount = (text) => {
    let s = text.normalize("NFKC").replace(/[,¥円\s]/g, "");
    if (!s) return null;
    const plain = (t) => (/^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN);
    if (!units.some(([u]) => s.includes(u))) return /^-?\d+$/.test(s) ? Number(s) : NaN;
    let total = 0;
    for (const [unit, size] of units) {
      if (s.includes(unit)) {
        const [head, rest] = [s.slice(0, s.indexOf(unit)), s.slice(s.indexOf(unit) + 1)];
        total += plain(head) * size;
        s = rest;
      }
    }
    if (s) total += plain(s);
    return Number.isInteger(total) ? total : NaN;
  };
  document.querySelectorAll("[data-yen-preview]").forEach((input) => {
    const out = document.createElement("p");
    out.className = "yen-preview";
    out.setAttribute("aria-live", "polite");
    out.dataset.previewFor = input.id;
    input.insertAdjacentElement("afterend", out);
    const show = () => {
      const value = parseAmount(input.value);
      out.textContent = value === null || Number.isNaN(value) ? "" : "= ¥" + value.toLocaleString("ja-JP");
    };
    input.addEventListener("input", show);
    show();
  });
});

// ROI estimate: recompute as the CSM types (the Calculate button does the same without JavaScript).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-estimate-form]");
  if (!form) return;
  let timer = null;
  let latest = 0;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const ticket = ++latest;
      const response = await fetch(form.dataset.figuresUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": form.querySelector("[name=csrf_token]").value },
      });
      if (ticket !== latest) return; // an older answer arriving late must not overwrite a newer one
      const data = await response.json();
      form.querySelectorAll(".error[data-live]").forEach((e) => e.remove());
      form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
      if (data.html) {
        document.querySelector("[data-estimate-results]").outerHTML = data.html;
      } else if (data.errors) {
        for (const [name, message] of Object.entries(data.errors)) {
          const input = form.querySelector(`[name="${name}"]`);
          if (!input) continue;
          input.setAttribute("aria-invalid", "true");
          const p = document.createElement("p");
          p.className = "error";
          p.dataset.live = "1";
          p.textContent = message;
          input.insertAdjacentElement("afterend", p);
        }
      }
    }, 250);
  });
});
// Checklist ticks: post the form with fetch and update the task's rows in place (a task can be listed twice:
// under "this week" and in its phase); without JS the form posts normally and the page reloads.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-tick]");
  if (!form) return;
  event.preventDefault();
  const data = new FormData(form);
  if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
  const response = await fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" } });
  if (!response.ok) { form.submit(); return; }
  const result = await response.json();
  const id = form.closest("[data-task]").dataset.task;
  document.querySelectorAll(`[data-task="${id}"]`).forEach((row) => {
    row.classList.remove("todo", "done", "skipped", "overdue");
    row.classList.add(result.status);
    const button = row.querySelector("form[data-tick] button");
    const undo = result.status !== "todo";
    if (button) {
      button.value = undo ? "todo" : "done";
      button.textContent = undo ? form.dataset.undo : form.dataset.done;
      button.classList.toggle("secondary", undo);
    }
    row.querySelector(".task-state").textContent = undo ? `✓ ${result.who}` : "";
  });
});
