// Draw the indicator chart from the figure the server embedded as JSON (no inline script, so a
// strict Content-Security-Policy can forbid inline code). Without JavaScript the table stands in.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("indicator-chart");
    var source = document.getElementById("indicator-chart-data");
    if (!holder || !source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(holder, figure.data, figure.layout, { responsive: true, displaylogo: false, displayModeBar: false });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
