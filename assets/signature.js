// The customer signs the repair order on the tablet: strokes on a canvas, sent as a PNG data URL.
(function () {
  const pad = document.getElementById("signature-pad");
  const form = document.getElementById("sign-form");
  if (!pad || !form) return;
  const context = pad.getContext("2d");
  context.lineWidth = 2;
  context.lineCap = "round";
  let drawing = false;
  let drawn = false;
  const point = (event) => {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * (pad.width / box.width), (event.clientY - box.top) * (pad.height / box.height)];
  };
  pad.addEventListener("pointerdown", (event) => {
    drawing = true;
    context.beginPath();
    context.moveTo(...point(event));
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...point(event));
    context.stroke();
    drawn = true;
  });
  window.addEventListener("pointerup", () => { drawing = false; });
  document.getElementById("signature-clear").addEventListener("click", () => {
    context.clearRect(0, 0, pad.width, pad.height);
    drawn = false;
  });
  form.addEventListener("submit", () => {
    document.getElementById("signature-data").value = drawn ? pad.toDataURL("image/png") : "";
  });
})();
