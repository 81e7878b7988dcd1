// The parts counter: scanning (or typing) a part number picks its line on the repair order,
// ready for the quantity and the technician's signature. A scanner types and presses Enter.
(function () {
  const scan = document.getElementById("part-scan");
  if (!scan) return;
  scan.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const wanted = scan.value.trim().toUpperCase();
    let found = null;
    document.querySelectorAll("#counter-lines .counter-line").forEach(function (row) {
      const hit = row.dataset.partNumber.toUpperCase() === wanted;
      row.classList.toggle("table-success", hit);
      if (hit && !found) found = row;
    });
    document.getElementById("part-scan-missing").hidden = found !== null;
    if (found) {
      const quantity = found.querySelector("input[name^='qty_']");
      (quantity || found).scrollIntoView({ block: "center" });
      if (quantity) quantity.focus();
    }
    scan.select();
  });
})();
