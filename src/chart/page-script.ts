/**
 * The script of the chart page, run by the browser after the inlined Lightweight Charts bundle. Plain
 * ES2020 in a string (this package compiles for Node, without the DOM's types). It draws the data of
 * `<script id="dsta-chart-data">` and reports what the library holds once drawn, in
 * `window.dstaChart` and `<pre id="dsta-chart-report">`, for a test or a person to check.
 */
/** Colours of the fear & greed bars by classification; the page shows them as a key too. */
export const MOOD_COLOURS = {
  'Extreme Fear': '#c62828',
  Fear: '#ef6c00',
  Neutral: '#9e9e9e',
  Greed: '#7cb342',
  'Extreme Greed': '#2e7d32',
} as const

export const PAGE_SCRIPT = String.raw`(function () {
  'use strict'
  var LC = window.LightweightCharts
  var data = JSON.parse(document.getElementById('dsta-chart-data').textContent)
  var report = { ready: false, market: null, interval: null, candles: 0, volumeBars: 0, bidLevels: 0, askLevels: 0, depthPoints: 0,
    metricPoints: { total_market_cap: 0, btc_dominance: 0, fear_greed_index: 0 }, markets: data.markets.length, canvases: 0, drawnMs: 0 }
  window.dstaChart = report
  var UP = '#089981', DOWN = '#f23645', INK = '#131722', MUTED = '#787b86', LINE = '#e0e3eb'
  var MOOD = ${JSON.stringify(MOOD_COLOURS)}
  function el(id) { return document.getElementById(id) }
  function text(id, value) { el(id).textContent = value }
  function group(value, digits) {
    return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/,/g, '\u2009')
  }
  function compact(value) {
    var units = [[1e12, ' T'], [1e9, ' B'], [1e6, ' M'], [1e3, ' k']]
    for (var i = 0; i < units.length; i++) if (Math.abs(value) >= units[i][0]) return (value / units[i][0]).toFixed(2) + units[i][1]
    return value.toFixed(2)
  }
  function day(seconds) { return new Date(seconds * 1000).toISOString().slice(0, 10) }
  function minute(seconds) { return new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ') }
  var base = {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#ffffff' }, textColor: INK, fontSize: 12,
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', attributionLogo: true },
    grid: { vertLines: { color: '#f0f3fa' }, horzLines: { color: '#f0f3fa' } },
    rightPriceScale: { borderColor: LINE },
    timeScale: { borderColor: LINE, timeVisible: true, secondsVisible: false },
    localization: { timeFormatter: function (t) { return typeof t === 'number' ? minute(t) : String(t) } },
  }

  text('title', data.title)
  function instant(iso) { return iso.slice(0, 16).replace('T', ' ') }
  text('source', data.source + (data.window ? ' \u00b7 ' + instant(data.window.start) + ' \u2192 ' + instant(data.window.end) + ' UTC' : ''))

  // Candles and volume, one market at a time
  var price = LC.createChart(el('price-chart'), base)
  var candles = price.addSeries(LC.CandlestickSeries, { upColor: UP, downColor: DOWN, wickUpColor: UP, wickDownColor: DOWN, borderVisible: false })
  var volume = price.addSeries(LC.HistogramSeries, { priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false }, 1)
  price.panes()[0].setStretchFactor(3)
  price.panes()[1].setStretchFactor(1)

  // Order book depth: cumulative size against price
  var depth = LC.createOptionsChart(el('book-chart'), Object.assign({}, base, { timeScale: { borderColor: LINE } }))
  var bids = depth.addSeries(LC.AreaSeries, { lineType: LC.LineType.WithSteps, lineColor: UP, topColor: 'rgba(8,153,129,0.35)', bottomColor: 'rgba(8,153,129,0.05)', lineWidth: 2, priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false })
  var asks = depth.addSeries(LC.AreaSeries, { lineType: LC.LineType.WithSteps, lineColor: DOWN, topColor: 'rgba(242,54,69,0.35)', bottomColor: 'rgba(242,54,69,0.05)', lineWidth: 2, priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false })

  // Daily market metrics, three panes on one time axis
  var metrics = LC.createChart(el('metrics-chart'), Object.assign({}, base, { timeScale: { borderColor: LINE, timeVisible: false } }))
  var cap = metrics.addSeries(LC.AreaSeries, { lineColor: '#2962ff', topColor: 'rgba(41,98,255,0.3)', bottomColor: 'rgba(41,98,255,0.02)', lineWidth: 2, priceLineVisible: false,
    priceFormat: { type: 'custom', formatter: function (v) { return '$' + compact(v) }, minMove: 1e6 } })
  var dominance = metrics.addSeries(LC.LineSeries, { color: '#f7931a', lineWidth: 2, priceLineVisible: false, priceFormat: { type: 'custom', formatter: function (v) { return v.toFixed(2) + ' %' }, minMove: 0.01 } }, 1)
  var mood = metrics.addSeries(LC.HistogramSeries, { priceLineVisible: false, priceFormat: { type: 'price', precision: 0, minMove: 1 } }, 2)
  var days = data.metrics.days
  cap.setData(days.filter(function (d) { return d.totalMarketCap !== undefined }).map(function (d) { return { time: d.time, value: d.totalMarketCap } }))
  dominance.setData(days.filter(function (d) { return d.btcDominance !== undefined }).map(function (d) { return { time: d.time, value: d.btcDominance } }))
  mood.setData(days.filter(function (d) { return d.fearGreed !== undefined }).map(function (d) { return { time: d.time, value: d.fearGreed, color: MOOD[d.classification] || MUTED } }))
  metrics.timeScale().fitContent()
  function metricsLegend(d) {
    if (!d) return text('metrics-legend', days.length ? '' : 'no market metrics in this window')
    var parts = [day(d.time)]
    if (d.totalMarketCap !== undefined) parts.push('total market cap $' + compact(d.totalMarketCap))
    if (d.btcDominance !== undefined) parts.push('BTC dominance ' + d.btcDominance.toFixed(2) + ' %')
    if (d.fearGreed !== undefined) parts.push('fear & greed ' + d.fearGreed + ' (' + d.classification + ')')
    text('metrics-legend', parts.join(' \u00b7 '))
  }
  metricsLegend(days[days.length - 1])
  metrics.subscribeCrosshairMove(function (param) {
    var found = param.time === undefined ? null : days.filter(function (d) { return d.time === param.time })[0]
    metricsLegend(found || days[days.length - 1])
  })

  // The horizontal scale spaces points evenly, so the book is sampled on an even price grid (the
  // tick, or coarser for a wide book): the depth then reads linearly in price.
  function depthPoints(book, precision) {
    var lowest = book.bids.length ? book.bids[book.bids.length - 1][0] : book.asks[0][0]
    var highest = book.asks.length ? book.asks[book.asks.length - 1][0] : book.bids[0][0]
    var tick = Math.pow(10, -precision)
    var step = tick * Math.max(1, Math.ceil((highest - lowest) / tick / 400))
    function round(x) { return Number(x.toFixed(precision)) }
    function side(levels, direction) {
      var points = [], sum = 0, i = 0
      if (!levels.length) return points
      for (var k = 0; ; k++) {
        var x = round(levels[0][0] + direction * k * step)
        while (i < levels.length && direction * (levels[i][0] - x) <= tick / 2) sum += levels[i++][1]
        points.push({ time: x, value: sum })
        if (i >= levels.length) break
      }
      return direction < 0 ? points.reverse() : points
    }
    return { bids: side(book.bids, -1), asks: side(book.asks, 1) }
  }

  var current = null
  function priceLegend(bar) {
    if (!current || !bar) return text('price-legend', current ? 'no candlesticks or trades in this window' : '')
    var p = current.precision
    text('price-legend', minute(bar[0]) + '  O ' + group(bar[1], p) + '  H ' + group(bar[2], p) + '  L ' + group(bar[3], p) +
      '  C ' + group(bar[4], p) + '  V ' + compact(bar[5]))
  }
  price.subscribeCrosshairMove(function (param) {
    var found = current && param.time !== undefined ? current.bars.filter(function (b) { return b[0] === param.time })[0] : null
    priceLegend(found || (current && current.bars[current.bars.length - 1]))
  })

  function show(index) {
    var market = data.markets[index]
    current = market
    var p = market.precision
    var buttons = el('markets').children
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute('aria-pressed', String(i === index))
    candles.applyOptions({ priceFormat: { type: 'price', precision: p, minMove: Math.pow(10, -p) } })
    candles.setData(market.bars.map(function (b) { return { time: b[0], open: b[1], high: b[2], low: b[3], close: b[4] } }))
    volume.setData(market.bars.map(function (b) { return { time: b[0], value: b[5], color: b[4] >= b[1] ? 'rgba(8,153,129,0.5)' : 'rgba(242,54,69,0.5)' } }))
    price.timeScale().fitContent()
    text('market-title', market.symbol + ' \u00b7 ' + market.exchange + ' \u00b7 ' + market.interval + ' candles')
    var rows = market.rowsIn
    text('rows-in', market.bars.length + ' bars of ' + market.interval + ' from ' + group(rows.rows, 0) + ' ' +
      (rows.table === 'trades' ? 'trades' : rows.interval + ' candlesticks (' + group(rows.trades, 0) + ' trades)'))
    priceLegend(market.bars[market.bars.length - 1])
    var book = market.book
    var sides = book ? depthPoints(book, p) : { bids: [], asks: [] }
    depth.applyOptions({ localization: { precision: p } })
    bids.setData(sides.bids)
    asks.setData(sides.asks)
    depth.timeScale().fitContent()
    if (!book) text('book-legend', 'no order book at or before this moment')
    else {
      var bestBid = book.bids[0], bestAsk = book.asks[0]
      text('book-legend', 'at ' + instant(book.timestamp) + ' UTC \u00b7 ' + book.bids.length + ' bid / ' + book.asks.length + ' ask levels' +
        (bestBid && bestAsk ? ' \u00b7 best bid ' + group(bestBid[0], p) + ' \u00b7 best ask ' + group(bestAsk[0], p) + ' \u00b7 spread ' + group(bestAsk[0] - bestBid[0], p) : '') +
        ' \u00b7 update id ' + book.lastUpdateId)
    }
    report.market = market.exchange + ':' + market.symbol
    report.interval = market.interval
    report.candles = candles.data().length
    report.volumeBars = volume.data().length
    report.bidLevels = book ? book.bids.length : 0
    report.askLevels = book ? book.asks.length : 0
    report.depthPoints = bids.data().length + asks.data().length
  }

  data.markets.forEach(function (market, index) {
    var button = document.createElement('button')
    button.type = 'button'
    button.textContent = market.symbol + (data.markets.some(function (m) { return m.exchange !== market.exchange }) ? ' (' + market.exchange + ')' : '')
    button.addEventListener('click', function () { show(index); done() })
    el('markets').appendChild(button)
  })
  if (data.markets.length) show(0)
  else {
    el('price').hidden = true
    el('book').hidden = true
  }
  report.metricPoints = { total_market_cap: cap.data().length, btc_dominance: dominance.data().length, fear_greed_index: mood.data().length }

  // The library paints on the next animation frame: report once it has.
  function done() {
    requestAnimationFrame(function () {
      price.timeScale().fitContent()
      depth.timeScale().fitContent()
      metrics.timeScale().fitContent()
      requestAnimationFrame(function () {
        var drawn = 0
        document.querySelectorAll('canvas').forEach(function (c) { if (c.width > 0 && c.height > 0) drawn++ })
        report.canvases = drawn
        report.drawnMs = Math.round(performance.now()) // since navigation started
        report.ready = true
        el('dsta-chart-report').textContent = JSON.stringify(report)
      })
    })
  }
  done()
})()
`
