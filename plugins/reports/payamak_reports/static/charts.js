// Draws the report charts with Chart.js (served from /static/vendor/chart.js/) when it is
// available. Each <canvas data-chart> carries its data as JSON; the table next to it is the
// accessible version and stays on the page whether or not the chart is drawn.
(function () {
  function draw() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = JSON.parse(canvas.getAttribute("data-chart"));
      var names = JSON.parse(canvas.getAttribute("data-names") || "{}");
      var colours = { delivered: "#15803d", undelivered: "#b91c1c", pending: "#a16207", received: "#0f766e" };
      var datasets = Object.keys(data.datasets).map(function (key) {
        return { label: names[key] || key, data: data.datasets[key], backgroundColor: colours[key] || "#64748b" };
      });
      new window.Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: datasets },
        options: { responsive: true, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
