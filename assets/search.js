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
  input.addEventListener("keydown", (e) => { if (e.key === "Escape") list.hidden = true; });
  document.addEventListener("click", (e) => { if (e.target !== input && !list.contains(e.target)) list.hidden = true; });
})();
