// Search as you type: suggestions under the header's search box. A small enhancement only:
// without JavaScript the box submits to the /search results page.
(() => {
  const input = document.querySelector("input[data-suggest]");
  if (!input) return;
  const list = document.createElement("ul");
  list.className = "suggestions";
  list.hidden = true;
  input.after(list);
  let timer = 0;
  let last = "";
  const show = (items) => {
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = "/services/" + item.id;
      link.textContent = item.name;
      const path = document.createElement("small");
      path.textContent = item.category_path;
      li.append(link, path);
      return li;
    }));
    list.hidden = items.length === 0;
  };
  const run = async () => {
    const q = input.value.trim();
    if (q === last) return;
    last = q;
    if (q.length < 2) { list.hidden = true; return; }
    try {
      const response = await fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { headers: { accept: "application/json" } });
      if (response.ok && q === last) show(await response.json());
    } catch (_) { list.hidden = true; }
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 120); });
  // Arrow keys move between the box and the suggestions; Escape closes them and goes back.
  const links = () => [...list.querySelectorAll("a")];
  const move = (e, from) => {
    const all = links();
    if (list.hidden || all.length === 0) return;
    const at = all.indexOf(from);
    let next = null;
    if (e.key === "ArrowDown") next = all[Math.min(at + 1, all.length - 1)];
    else if (e.key === "ArrowUp") next = at <= 0 ? input : all[at - 1];
    else if (e.key === "Escape") { list.hidden = true; next = input; }
    if (next) { e.preventDefault(); next.focus(); }
  };
  input.addEventListener("keydown", (e) => move(e, input));
  list.addEventListener("keydown", (e) => move(e, document.activeElement));
  document.addEventListener("click", (e) => { if (e.target !== input && !list.contains(e.target)) list.hidden = true; });
})();
