/**
 * The browser script of report.html that draws the horizontal interval plot with the inlined
 * Chart.js. It is a string, not code of this module: it runs in the page, after Chart.js's UMD
 * build has defined the global `Chart`, and reads its rows from the `#rate-report-data` JSON.
 *
 * Chart.js has no interval chart, so the plot is a scatter chart (estimates as dots on a numeric y
 * axis, one row per estimator and effect) plus a small plugin that draws each 95% interval as a
 * horizontal bar with end caps, and the zero line.
 */
export const rateIntervalPlotScript = `
(function () {
  'use strict';
  var dataElement = document.getElementById('rate-report-data');
  var canvas = document.getElementById('rate-chart');
  if (!dataElement || !canvas || typeof Chart === 'undefined') return;
  var rows = JSON.parse(dataElement.textContent).rows;
  var values = [0];
  rows.forEach(function (row) {
    [row.estimate, row.low, row.high, row.truth].forEach(function (value) {
      if (typeof value === 'number') values.push(value);
    });
  });
  var min = Math.min.apply(null, values);
  var max = Math.max.apply(null, values);
  var pad = (max - min) * 0.08 || 1;
  var points = function (key) {
    var result = [];
    rows.forEach(function (row, index) {
      if (typeof row[key] === 'number') result.push({ x: row[key], y: index });
    });
    return result;
  };
  var intervalPlugin = {
    id: 'rateIntervals',
    beforeDatasetsDraw: function (chart) {
      var x = chart.scales.x;
      var y = chart.scales.y;
      var context = chart.ctx;
      context.save();
      context.strokeStyle = '#888';
      context.setLineDash([4, 4]);
      context.beginPath();
      context.moveTo(x.getPixelForValue(0), y.top);
      context.lineTo(x.getPixelForValue(0), y.bottom);
      context.stroke();
      context.setLineDash([]);
      context.strokeStyle = '#1f4e79';
      context.lineWidth = 2;
      rows.forEach(function (row, index) {
        if (typeof row.low !== 'number' || typeof row.high !== 'number') return;
        var level = y.getPixelForValue(index);
        var left = x.getPixelForValue(row.low);
        var right = x.getPixelForValue(row.high);
        context.beginPath();
        context.moveTo(left, level);
        context.lineTo(right, level);
        context.moveTo(left, level - 6);
        context.lineTo(left, level + 6);
        context.moveTo(right, level - 6);
        context.lineTo(right, level + 6);
        context.stroke();
      });
      context.restore();
    }
  };
  var datasets = [{
    label: 'Estimate with 95% interval',
    data: points('estimate'),
    backgroundColor: '#1f4e79',
    borderColor: '#1f4e79',
    pointRadius: 5
  }];
  var truth = points('truth');
  if (truth.length > 0) {
    datasets.push({
      label: 'True effect',
      data: truth,
      pointStyle: 'crossRot',
      pointRadius: 8,
      borderWidth: 2,
      borderColor: '#c0392b',
      backgroundColor: '#c0392b'
    });
  }
  new Chart(canvas, {
    type: 'scatter',
    data: { datasets: datasets },
    plugins: [intervalPlugin],
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { suggestedMin: min - pad, suggestedMax: max + pad, title: { display: true, text: 'Effect on reward (reward units)' } },
        y: {
          min: -0.5,
          max: rows.length - 0.5,
          reverse: true,
          afterBuildTicks: function (axis) {
            axis.ticks = rows.map(function (row, index) { return { value: index }; });
          },
          ticks: {
            callback: function (value) {
              var row = rows[value];
              return row ? row.label : '';
            }
          },
          grid: { display: false }
        }
      },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: function (item) {
              var row = rows[item.raw.y];
              if (item.datasetIndex === 1) return row.label + ': true effect ' + row.truth;
              var interval = typeof row.low === 'number' ? ' [' + row.low.toPrecision(4) + ', ' + row.high.toPrecision(4) + ']' : ' (no interval)';
              return row.label + ': ' + row.estimate.toPrecision(4) + interval;
            }
          }
        }
      }
    }
  });
})();
`
