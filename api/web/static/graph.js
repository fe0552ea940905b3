/* redchain graph pages: draw the payload of <script id="redchain-data"> with vis-network.
 *
 * Readability: names and headings are written by this script at a fixed screen size
 * (LABEL_PX and up), whatever the zoom: a lane's title and figures at the top of its
 * column, and node names in the order of each node's `rank` (most important first) as
 * long as they do not overlap a name already written. So the names that matter are
 * readable on the first screen, and more appear as one zooms in; every other name is in
 * the tooltip. A name is never written over a drawn node or outside the graph area: one
 * under its node may move above, right or left of it, else it waits for a closer zoom;
 * a name with a `room` is cut to it with "…". Edge words are written at the same size. Boxes (segments, the chain, summaries) carry their text inside, drawn by
 * vis-network.
 *
 * Safety: the payload is read with JSON.parse, never evaluated; every string from it is
 * shown with textContent or drawn on the canvas, never assigned to innerHTML; links are
 * followed only if they are site-relative paths or sibling .html files.
 * For tests: window.redchainNetwork = {network, nodes, edges, data, ready, focus, drawn,
 * drawnEdges, labelled, labelBoxes, edgeLabels, written, headings}.
 */
(function () {
  'use strict';

  var source = document.getElementById('redchain-data');
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var styles = data.styles;
  var container = document.getElementById('graph');
  var statusLine = document.getElementById('graph-status');
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var LABEL_PX = 12.5;
  var DOT_RANK = 1000;  // names of plain dots are written only once zoomed in to DOT_SCALE
  var DOT_SCALE = 1.5;
  var MAX_LABELS = 400;
  var MAX_FIT_SCALE = 2.0;  // the first view zooms a small drawing in up to this far
  // The rate bands' and the lanes' colours come with the payload (api/web/style.py RATE_BANDS,
  // LANE_TONES), as the legend's do.
  var RATE_FILL = {}, RATE_TEXT = {}, LANE_FILL = {}, LANE_TEXT = {};
  Object.keys(styles.rates || {}).forEach(function (k) { RATE_FILL[k] = styles.rates[k].fill; RATE_TEXT[k] = styles.rates[k].ink; });
  Object.keys(styles.lanes || {}).forEach(function (k) { LANE_FILL[k] = styles.lanes[k].fill; LANE_TEXT[k] = styles.lanes[k].ink; });
  var large = data.nodes.length > 800;

  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  var layersOn = {};
  Object.keys(styles.layers).forEach(function (k) { layersOn[k] = styles.layers[k].on; });

  // Who is linked to whom, for the side panel.
  var adjacency = new Map();
  function neighbour(a, b, style, outgoing) {
    if (!adjacency.has(a)) { adjacency.set(a, []); }
    adjacency.get(a).push({other: b, style: style, outgoing: outgoing});
  }
  data.edges.forEach(function (e) { neighbour(e.from, e.to, e.style, true); neighbour(e.to, e.from, e.style, false); });

  function safeHref(href) {
    if (typeof href !== 'string') { return null; }
    if (href.charAt(0) === '/' && href.charAt(1) !== '/' && href.charAt(1) !== '\\') { return href; }
    if (/^[A-Za-z0-9_%.\-]+\.html(#.*)?$/.test(href)) { return href; }
    return null;
  }

  // A box in a list of names (`compact`) is drawn as a small square, its name beside it.
  function isBox(n) { return !n.compact && (n.shape || styles.nodes[n.style].shape) === 'box'; }
  function shapeOf(n) {
    var shape = n.shape || styles.nodes[n.style].shape;
    return n.compact && shape === 'box' ? 'square' : shape;
  }

  function visNode(n) {
    var st = styles.nodes[n.style];
    var fill = n.color || st.color;
    var border = n.border || st.border;
    var node = {
      id: n.id, x: n.x, y: n.y,
      shape: shapeOf(n),
      size: n.compact && st.shape === 'box' ? 9 : n.size || st.size,
      borderWidth: n.style === 'none' ? 2.5 : 1.5,
      color: {background: fill, border: border,
              highlight: {background: fill, border: '#000000'}, hover: {background: fill, border: '#000000'}},
      shapeProperties: {borderDashes: st.dashes.length ? st.dashes : false}
    };
    if (isBox(n)) {  // text inside the box, drawn (and zoomed) with it
      var box = n.box || {};
      node.label = n.label;
      node.font = {face: FONT, size: box.font || 15, color: st.font_color};
      node.margin = 10;
      node.widthConstraint = box.w ? {minimum: box.w, maximum: box.w} : {maximum: 260};
      if (box.h) { node.heightConstraint = {minimum: box.h, valign: 'middle'}; }
      node.borderWidth = box.h ? 2.5 : 1.5;
    }
    return node;
  }

  function visEdge(e, i) {
    var st = styles.edges[e.style];
    var edge = {
      id: 'e' + i, from: e.from, to: e.to,
      color: {color: st.color, highlight: '#17202a', hover: '#17202a', inherit: false, opacity: 0.9},
      width: e.width || st.width,
      dashes: st.dashes.length ? st.dashes : false,
      arrows: st.arrow ? {to: {enabled: true, scaleFactor: 0.45}} : {to: {enabled: false}},
      font: {face: FONT, size: 13, color: '#424949', strokeWidth: 3, strokeColor: '#ffffff', align: 'horizontal'}
    };
    // An edge's word is written by this script at screen size (drawEdgeLabels), as names are:
    // vis-network would zoom it with the drawing (a lone edge's word came out at twice the names' size).
    if (e.route) {  // drawn by this script along its route (see drawRoutes); vis-network keeps it for selection
      var none = 'rgba(0,0,0,0)';
      edge.color = {color: none, highlight: none, hover: none, inherit: false};
      edge.arrows = {to: {enabled: false}};
      edge.label = undefined;
    }
    return edge;
  }

  function nodeVisible(id) {
    var n = byId.get(id);
    return !!n && layersOn[n.layer] !== false;
  }

  var edgeLayer = {}, quiet = {};
  data.edges.forEach(function (e, i) { edgeLayer['e' + i] = styles.edges[e.style].layer; quiet['e' + i] = !!e.quiet; });
  var selectedId = null;  // a selected node's own links are drawn even when their layer is off

  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var nodeView = new vis.DataView(nodes, {filter: function (n) { return nodeVisible(n.id); }});
  var edgeView = new vis.DataView(edges, {filter: function (e) {
    if (!nodeVisible(e.from) || !nodeVisible(e.to)) { return false; }
    if (layersOn[edgeLayer[e.id]] !== false && !quiet[e.id]) { return true; }
    return selectedId !== null && (e.from === selectedId || e.to === selectedId);
  }});

  var options = {
    physics: false,
    layout: {improvedLayout: false},
    edges: {smooth: false, selectionWidth: 1.5, hoverWidth: 0.5},
    interaction: {
      hover: true, tooltipDelay: 200, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
      multiselect: false, navigationButtons: false, keyboard: false, zoomSpeed: 0.6
    }
  };
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, options);
  var routed = [];  // ids of the edges that carry a route
  data.edges.forEach(function (e, i) { if (e.route) { routed.push('e' + i); } });

  var labelled = [], written = {};  // ids whose names were written in the last drawing, and the words (for tests)
  var boxes = [], edgeWords = [];  // where those names and the edges' words were written, in screen pixels (for tests)
  var headings = [];  // the lane and group headings written in the last drawing: title and box on screen (for tests)
  var api = {
    network: network, nodes: nodes, edges: edges, data: data, ready: false,
    focus: focusNode,
    drawn: function () { return network.body.nodeIndices.length; },
    drawnEdges: function () { return network.body.edgeIndices.length; },
    paths: drawnPaths,
    labelled: function () { return labelled.slice(); },
    labelBoxes: function () { return boxes.map(function (b) { return Object.assign({}, b); }); },
    edgeLabels: function () { return edgeWords.map(function (b) { return Object.assign({}, b); }); },
    written: function () { return Object.assign({}, written); },
    headings: function () { return headings.map(function (h) { return Object.assign({}, h); }); }
  };
  window.redchainNetwork = api;

  // -- lanes behind the nodes ------------------------------------------------------------

  network.on('beforeDrawing', function (ctx) {
    ctx.save();
    data.lanes.forEach(function (lane) {
      var group = lane.tone === 'segment';
      ctx.fillStyle = LANE_FILL[lane.tone] || LANE_FILL.plain;
      ctx.fillRect(lane.x, lane.y, lane.w, lane.h);
      if (lane.head && lane.rate) {
        ctx.fillStyle = RATE_FILL[lane.rate] || RATE_FILL.none;
        ctx.fillRect(lane.x, lane.y, lane.w, lane.head);
      }
      if (group) {
        ctx.strokeStyle = '#d5d8dc';
        ctx.lineWidth = 1;
        ctx.strokeRect(lane.x, lane.y, lane.w, lane.h);
      }
    });
    drawRoutes(ctx);
    ctx.restore();
  });

  // -- edges along a route (api/web/detours.py): under the nodes, as vis-network's are ------

  var ARROW = 9;  // an arrowhead's length in canvas units, about vis-network's at scaleFactor 0.45
  function shownRoutes() {
    var drawnNow = {};
    network.body.edgeIndices.forEach(function (id) { drawnNow[id] = true; });
    return routed.filter(function (id) { return drawnNow[id]; });
  }
  function drawRoutes(ctx) {
    shownRoutes().forEach(function (id) {
      var e = data.edges[Number(id.slice(1))], st = styles.edges[e.style], points = e.route;
      var chosen = selectedId !== null && (e.from === selectedId || e.to === selectedId);
      ctx.strokeStyle = ctx.fillStyle = chosen ? '#17202a' : st.color;
      ctx.lineWidth = e.width || st.width;
      ctx.setLineDash(st.dashes.length ? st.dashes : []);
      ctx.beginPath();
      ctx.moveTo(points[0][0], points[0][1]);
      for (var k = 1; k < points.length; k++) { ctx.lineTo(points[k][0], points[k][1]); }
      ctx.stroke();
      ctx.setLineDash([]);
      if (!st.arrow) { return; }
      var tip = points[points.length - 1], from = points[points.length - 2];
      var angle = Math.atan2(tip[1] - from[1], tip[0] - from[0]);
      ctx.beginPath();
      ctx.moveTo(tip[0], tip[1]);
      ctx.lineTo(tip[0] - ARROW * Math.cos(angle - 0.4), tip[1] - ARROW * Math.sin(angle - 0.4));
      ctx.lineTo(tip[0] - ARROW * Math.cos(angle + 0.4), tip[1] - ARROW * Math.sin(angle + 0.4));
      ctx.closePath();
      ctx.fill();
    });
  }
  // The line each drawn edge takes (for tests): its route, or straight from circle to circle.
  function drawnPaths() {
    return network.body.edgeIndices.map(function (id) {
      var e = data.edges[Number(id.slice(1))], a = network.body.edges[id].from, b = network.body.edges[id].to;
      var length = Math.max(Math.hypot(b.x - a.x, b.y - a.y), 1), ux = (b.x - a.x) / length, uy = (b.y - a.y) / length;
      return {from: e.from, to: e.to, style: e.style, points: e.route || [
        [a.x + ux * a.options.size, a.y + uy * a.options.size], [b.x - ux * b.options.size, b.y - uy * b.options.size]]};
    });
  }

  // -- names and headings at screen size, over the nodes -----------------------------------

  var widths = new Map();
  function textWidth(ctx, font, text) {
    var key = font + '\u0000' + text;
    var w = widths.get(key);
    if (w === undefined) { ctx.font = font; w = ctx.measureText(text).width; widths.set(key, w); }
    return w;
  }

  function fitText(ctx, font, text, room) {
    if (textWidth(ctx, font, text) <= room) { return text; }
    var cut = text;
    while (cut.length > 1 && textWidth(ctx, font, cut + '…') > room) { cut = cut.slice(0, -1); }
    return cut.length > 1 ? cut + '…' : '';
  }

  var ranked = data.nodes.filter(function (n) {
    return n.rank !== undefined && n.rank !== null && n.label && !isBox(n);
  }).sort(function (a, b) { return a.rank - b.rank; });

  function Occupancy() { this.cells = new Map(); }
  Occupancy.CELL = 64;
  Occupancy.prototype.keys = function (r) {
    var out = [], c = Occupancy.CELL;
    for (var i = Math.floor(r.x / c); i <= Math.floor((r.x + r.w) / c); i++) {
      for (var j = Math.floor(r.y / c); j <= Math.floor((r.y + r.h) / c); j++) { out.push(i + ',' + j); }
    }
    return out;
  };
  Occupancy.prototype.free = function (r, own) {  // `own`: a node (or a list of them) whose own shape does not count
    var keys = this.keys(r);
    for (var k = 0; k < keys.length; k++) {
      var list = this.cells.get(keys[k]);
      if (!list) { continue; }
      for (var m = 0; m < list.length; m++) {
        var o = list[m];
        if (own !== undefined && (o.id === own || (Array.isArray(own) && own.indexOf(o.id) >= 0))) { continue; }
        if (r.x < o.x + o.w && o.x < r.x + r.w && r.y < o.y + o.h && o.y < r.y + r.h) { return false; }
      }
    }
    return true;
  };
  Occupancy.prototype.take = function (r) {
    var self = this;
    this.keys(r).forEach(function (k) {
      if (!self.cells.has(k)) { self.cells.set(k, []); }
      self.cells.get(k).push(r);
    });
  };

  // A stage's (or chain's) title at the largest of these sizes that writes it whole; a
  // narrow lane gets the smallest, cut short. A group's heading goes below any heading
  // already written where it would overlap one (zoomed out, a column's top nears its
  // lane's title), and is left out if that pushes it out of its group.
  var STAGE_FONTS = [16, 13, 11];

  function drawHeadings(ctx, scale, t, width, height, taken) {
    headings = [];
    var stages = data.lanes.filter(function (lane) { return lane.tone !== 'segment'; });
    var groups = data.lanes.filter(function (lane) { return lane.tone === 'segment'; });
    stages.concat(groups).forEach(function (lane) {
      var x = lane.x * scale + t.x, y = lane.y * scale + t.y, w = lane.w * scale, h = lane.h * scale;
      if (x > width || x + w < 0 || y > height || y + h < 0) { return; }
      ctx.textBaseline = 'top';
      if (lane.tone !== 'segment') {  // a stage: its name centred at the top of the lane
        var room = Math.max(w - 12, 0), size = STAGE_FONTS[STAGE_FONTS.length - 1];
        for (var f = 0; f < STAGE_FONTS.length; f++) {
          if (textWidth(ctx, 'bold ' + STAGE_FONTS[f] + 'px ' + FONT, lane.title) <= room) { size = STAGE_FONTS[f]; break; }
        }
        var stageFont = 'bold ' + size + 'px ' + FONT;
        var text = fitText(ctx, stageFont, lane.title, room);
        if (!text) { return; }
        var tw = textWidth(ctx, stageFont, text);
        ctx.font = stageFont;
        ctx.textAlign = 'center';
        ctx.fillStyle = LANE_TEXT[lane.tone] || LANE_TEXT.plain;
        var cx = Math.min(Math.max(x + w / 2, tw / 2 + 6), width - tw / 2 - 6);
        var ty = Math.max(y + 6, 4);
        ctx.fillText(text, cx, ty);
        var stageBox = {x: cx - tw / 2, y: ty, w: tw, h: size + 4};
        taken.take(stageBox);
        headings.push({title: text, x: stageBox.x, y: stageBox.y, w: stageBox.w, h: stageBox.h});
        return;
      }
      // A group (segment, park): its title and figures at the top, kept on screen while
      // the group is, so a tall column scrolled into still says what it is.
      var head = (lane.head || 0) * scale;
      var titleFont = '600 13.5px ' + FONT, subFont = '12px ' + FONT;
      var room = w - 12;
      var title = fitText(ctx, titleFont, lane.title, room);
      if (!title) { return; }
      var subs = (lane.subtitle ? lane.subtitle.split('\n') : []).map(function (line) { return fitText(ctx, subFont, line, room); });
      var pinned = y < 0 && y + h > 60;  // the heading has scrolled off: pin it to the top
      var fits = head === 0 || pinned ? subs.length : Math.max(0, Math.floor((head - 18) / 14));
      subs = subs.slice(0, fits);
      var top = y + 5;
      var tall = 20 + 15 * subs.length;
      if (pinned) {
        top = 4;
      } else {
        // Pushed down at most to the foot of its own heading band: further down it would
        // float among the nodes, a title without its column (QA round 8: "中游（18）" under
        // a chain's name, its sibling columns untitled).
        var lowest = Math.min(y + Math.max(head, tall + 6), y + h);
        while (!taken.free({x: x, y: top, w: w, h: tall}) && top + tall < lowest) { top += 4; }
        if (top + tall > lowest || !taken.free({x: x, y: top, w: w, h: tall})) { return; }
      }
      if (pinned) {
        ctx.fillStyle = lane.rate ? RATE_FILL[lane.rate] : 'rgba(255,255,255,0.92)';
        ctx.fillRect(x, 0, w, tall + 4);
      }
      ctx.textAlign = 'left';
      ctx.fillStyle = lane.rate ? RATE_TEXT[lane.rate] : LANE_TEXT.segment;
      ctx.font = titleFont;
      ctx.fillText(title, x + 6, top);
      ctx.font = subFont;
      subs.forEach(function (line, k) { ctx.fillText(line, x + 6, top + 19 + 15 * k); });
      taken.take({x: x, y: top, w: w, h: tall});
      headings.push({title: title, x: x + 6, y: top, w: Math.min(textWidth(ctx, titleFont, title), room), h: tall});
    });
  }

  // The drawn nodes (dots and boxes) on screen, so that no name is written over one.
  var MAX_RESERVED = 4000;
  function reserveNodes(scale, t, width, height, taken) {
    var ids = network.body.nodeIndices;
    if (ids.length > MAX_RESERVED) { return; }
    ids.forEach(function (id) {
      var b = network.getBoundingBox(id);
      if (!b) { return; }
      var x = b.left * scale + t.x, y = b.top * scale + t.y, w = (b.right - b.left) * scale, h = (b.bottom - b.top) * scale;
      if (x > width || x + w < 0 || y > height || y + h < 0) { return; }
      taken.take({x: x, y: y, w: w, h: h, id: id});
    });
  }

  // Words on edges (a pairing's kind, an alliance role, a flow's count) at the names' size,
  // in the middle of the line, or along it where the middle is over another node (a flow
  // between two segments' boxes passing over a third's); left out where no place is clear.
  var ALONG = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8];
  function drawEdgeLabels(ctx, scale, t, width, height, taken) {
    var font = LABEL_PX + 'px ' + FONT;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    network.body.edgeIndices.forEach(function (id) {
      var e = data.edges[Number(id.slice(1))];
      if (!e || !e.label) { return; }
      var edge = network.body.edges[id], a = edge.from, b = edge.to, p, q;
      if (e.route) {
        var k = Math.floor(e.route.length / 2);
        p = {x: e.route[k - 1][0], y: e.route[k - 1][1]}; q = {x: e.route[k][0], y: e.route[k][1]};
      } else { p = a; q = b; }
      var text = String(e.label), w = textWidth(ctx, font, text), r = null, sy;
      for (var n = 0; n < ALONG.length && !r; n++) {
        var sx = (p.x + (q.x - p.x) * ALONG[n]) * scale + t.x, y = (p.y + (q.y - p.y) * ALONG[n]) * scale + t.y;
        var c = {x: sx - w / 2 - 3, y: y - 9, w: w + 6, h: 18};
        if (sx >= 0 && sx <= width && y >= 0 && y <= height && taken.free(c, [edge.fromId, edge.toId])) { r = c; sy = y; }
      }
      if (!r) { return; }
      ctx.fillStyle = 'rgba(255,255,255,0.9)';
      ctx.fillRect(r.x, r.y, r.w, r.h);
      ctx.font = font;
      ctx.fillStyle = '#424949';
      ctx.fillText(text, r.x + 3, sy);
      taken.take(r);
      edgeWords.push({text: text, x: r.x, y: r.y, w: r.w, h: r.h});
    });
  }

  // Where a name may go: right of a listed dot (`side: 'right'`, its row is its room);
  // otherwise under its node, else above, right or left of it, wherever it is clear of
  // the names and nodes already there and inside the graph area (the hint line under it
  // included).
  var FOOT = 24;
  function spots(n, sx, sy, radius, w) {
    if (n.side === 'right') { return [{x: sx + radius + 4, y: sy - 8, w: w, h: 16}]; }
    return [{x: sx - w / 2, y: sy + radius + 1, w: w, h: 16},
            {x: sx - w / 2, y: sy - radius - 17, w: w, h: 16},
            {x: sx + radius + 4, y: sy - 8, w: w, h: 16},
            {x: sx - radius - 4 - w, y: sy - 8, w: w, h: 16}];
  }

  function drawNames(ctx, scale, t, width, height, taken) {
    var body = network.body.nodes;
    var shownIds = [];
    written = {};
    boxes = [];
    var order = ranked;
    if (selectedId !== null && byId.has(selectedId) && !isBox(byId.get(selectedId))) {
      order = [byId.get(selectedId)].concat(ranked);
    }
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 3.5;
    for (var i = 0; i < order.length && shownIds.length < MAX_LABELS; i++) {
      var n = order[i];
      var b = body[n.id];
      if (!b || !n.label || written[n.id] !== undefined) { continue; }
      if (n.rank >= DOT_RANK && scale < DOT_SCALE && n.id !== selectedId) { continue; }
      var sx = b.x * scale + t.x, sy = b.y * scale + t.y;
      if (sx < -80 || sx > width + 80 || sy < -20 || sy > height + 20) { continue; }
      var chosen = n.id === selectedId;
      var font = (n.rank === 0 || chosen ? '600 ' : '') + LABEL_PX + 'px ' + FONT;
      var radius = (b.options.size || 10) * scale;
      // A name is cut to its room: right of a listed dot, up to its column's edge; under a
      // node, the room is the width it may take, centred on the node.
      var room = n.room && !chosen ? (n.side === 'right' ? n.room * scale - radius - 8 : n.room * scale - 4) : Infinity;
      var text = room < Infinity ? fitText(ctx, font, n.label, room) : n.label;
      if (!text) { continue; }
      var w = textWidth(ctx, font, text);
      var r = null, candidates = spots(n, sx, sy, radius, w);
      for (var k = 0; k < candidates.length && !r; k++) {
        var c = candidates[k];
        var inside = c.x >= 2 && c.x + c.w <= width - 2 && c.y >= 2 && c.y + c.h <= height - FOOT;
        if (inside && taken.free(c, n.id)) { r = c; }
      }
      if (!r && chosen) {  // the selected node's name is always written, inside the area
        r = candidates[0];
        r.x = Math.min(Math.max(r.x, 2), Math.max(width - r.w - 2, 2));
      }
      if (!r) { continue; }
      taken.take(r);
      if (n.side !== 'right') {  // a name among lines: on a light ground, so the lines do not cross it
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fillRect(r.x - 2, r.y, r.w + 4, r.h);
      }
      ctx.font = font;
      ctx.textAlign = 'left';
      ctx.strokeStyle = 'rgba(255,255,255,0.95)';
      ctx.strokeText(text, r.x, r.y + 8);
      ctx.fillStyle = styles.nodes[n.style].font_color;
      ctx.fillText(text, r.x, r.y + 8);
      shownIds.push(n.id);
      written[n.id] = text;
      boxes.push({id: n.id, x: r.x, y: r.y, w: r.w, h: r.h});
    }
    labelled = shownIds;
  }

  network.on('afterDrawing', function (ctx) {
    var scale = network.getScale();
    var t = network.body.view.translation;
    var ratio = network.canvas.pixelRatio || 1;
    var width = container.clientWidth, height = container.clientHeight;
    var taken = new Occupancy();
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    edgeWords = [];
    drawHeadings(ctx, scale, t, width, height, taken);
    reserveNodes(scale, t, width, height, taken);
    drawEdgeLabels(ctx, scale, t, width, height, taken);
    drawNames(ctx, scale, t, width, height, taken);
    ctx.restore();
  });

  // -- tooltip ---------------------------------------------------------------------------

  function typeText(n) {
    var st = styles.nodes[n.style];
    return n.type || (st ? st.text : '');
  }

  var tooltip = document.getElementById('tooltip');
  var overNode = false;
  function showTip(title, line, at) {
    if (!tooltip) { return; }
    tooltip.textContent = '';
    var strong = document.createElement('strong');
    strong.textContent = title;
    var kind = document.createElement('span');
    kind.textContent = line;
    tooltip.appendChild(strong);
    tooltip.appendChild(kind);
    tooltip.style.left = (at.x + 14) + 'px';
    tooltip.style.top = (at.y + 14) + 'px';
    tooltip.hidden = false;
  }
  network.on('hoverNode', function (params) {
    var n = byId.get(params.node);
    if (!n) { return; }
    overNode = true;
    showTip(n.name, n.kind + (typeText(n) ? ' · ' + typeText(n) : ''), params.pointer.DOM);
  });
  network.on('blurNode', function () { overNode = false; if (tooltip) { tooltip.hidden = true; } });
  // A group's heading may be cut to its column: the pointer on it shows the whole name.
  function headingAt(dom) {
    var p = network.DOMtoCanvas(dom), scale = network.getScale();
    for (var i = data.lanes.length - 1; i >= 0; i--) {
      var lane = data.lanes[i];
      var head = lane.tone === 'segment' ? Math.max(lane.head || 0, 40 / scale) : 30 / scale;
      if (p.x >= lane.x && p.x <= lane.x + lane.w && p.y >= lane.y && p.y <= lane.y + head) { return lane; }
    }
    return null;
  }
  container.addEventListener('mousemove', function (event) {
    if (overNode || !tooltip) { return; }
    var rect = container.getBoundingClientRect();
    var at = {x: event.clientX - rect.left, y: event.clientY - rect.top};
    var lane = headingAt(at);
    if (lane) { showTip(lane.title, (lane.subtitle || '').replace(/\n/g, ' · '), at); } else { tooltip.hidden = true; }
  });
  network.on('dragStart', function () { if (tooltip) { tooltip.hidden = true; } });

  // -- side panel ------------------------------------------------------------------------

  var panel = document.getElementById('panel');
  var panelBody = document.getElementById('panel-body');
  var MAX_NEIGHBOURS = 60;

  function element(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    if (className) { el.className = className; }
    return el;
  }

  function select(id) {
    if (selectedId === id) { return; }
    selectedId = id;
    edgeView.refresh();
  }

  function showPanel(id) {
    var n = byId.get(id);
    if (!n || !panelBody) { return; }
    select(id);
    document.getElementById('panel-kind').textContent = n.kind + (typeText(n) ? ' · ' + typeText(n) : '');
    document.getElementById('panel-title').textContent = n.name;
    var table = document.getElementById('panel-info');
    table.textContent = '';
    n.info.forEach(function (row) {
      var tr = document.createElement('tr');
      tr.appendChild(element('th', row[0]));
      tr.appendChild(element('td', row[1]));
      table.appendChild(tr);
    });
    var links = document.getElementById('panel-links');
    links.textContent = '';
    if (n.layerHint && styles.layers[n.layerHint]) {
      var show = element('button', '在图中逐一画出（' + styles.layers[n.layerHint].text + '）', 'linkish');
      show.type = 'button';
      show.addEventListener('click', function () { setLayer(n.layerHint, true); });
      var item = document.createElement('li');
      item.appendChild(show);
      links.appendChild(item);
    }
    n.links.forEach(function (link) {
      var href = safeHref(link[1]);
      if (!href) { return; }
      var a = element('a', link[0]);
      a.setAttribute('href', href);
      var li = document.createElement('li');
      li.appendChild(a);
      links.appendChild(li);
    });
    var list = document.getElementById('panel-neighbours');
    list.textContent = '';
    var order = Object.keys(styles.edges);
    var around = (adjacency.get(id) || []).slice().sort(function (a, b) {
      return order.indexOf(a.style) - order.indexOf(b.style) || (b.outgoing - a.outgoing) ||
        String(byId.get(a.other).name).localeCompare(String(byId.get(b.other).name), 'zh');
    });
    document.getElementById('panel-neighbours-title').textContent = '相连对象（' + around.length + '）';
    document.getElementById('panel-neighbours-title').hidden = !around.length;
    around.slice(0, MAX_NEIGHBOURS).forEach(function (link) {
      var other = byId.get(link.other);
      if (!other) { return; }
      var st = styles.edges[link.style];
      var relation = st ? (link.outgoing ? st.forward : st.backward) || st.text : '';
      var button = element('button', relation + '：' + other.name, 'linkish');
      button.type = 'button';
      button.addEventListener('click', function () { focusNode(other.id); });
      var li = document.createElement('li');
      li.appendChild(button);
      list.appendChild(li);
    });
    if (around.length > MAX_NEIGHBOURS) {
      list.appendChild(element('li', '另有 ' + (around.length - MAX_NEIGHBOURS) + ' 个未列出', 'muted'));
    }
    panel.hidden = false;
    panelBody.hidden = false;
  }

  function closePanel() {
    panel.hidden = true;
    network.unselectAll();
    select(null);
  }
  var closeButton = document.getElementById('panel-close');
  if (closeButton) { closeButton.addEventListener('click', closePanel); }

  network.on('click', function (params) {
    if (params.nodes.length) { showPanel(params.nodes[0]); } else if (!params.edges.length) { select(null); }
  });
  network.on('doubleClick', function (params) {
    var n = params.nodes.length ? byId.get(params.nodes[0]) : null;
    var href = n && safeHref(n.href);
    if (href) { window.location.assign(href); }
  });

  // -- layers ----------------------------------------------------------------------------

  // A layer switched on may draw nodes outside the view (the people under the lanes), one
  // switched off leaves room: the drawing is fitted again to what is now shown, unless the
  // reader has zoomed, panned or searched since it was last fitted: then their view stays.
  var viewMoved = false;
  network.on('zoom', function () { viewMoved = true; });
  network.on('dragEnd', function (params) { if (!params.nodes.length) { viewMoved = true; } });
  function setLayer(key, on) {
    layersOn[key] = on;
    var box = document.querySelector('input[data-layer="' + key + '"]');
    if (box) { box.checked = on; }
    var before = nodeView.length;
    nodeView.refresh();
    edgeView.refresh();
    if (nodeView.length !== before && !viewMoved) { fitDrawing(); }
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[data-layer]'), function (box) {
    layersOn[box.getAttribute('data-layer')] = box.checked;
    box.addEventListener('change', function () { setLayer(box.getAttribute('data-layer'), box.checked); });
  });
  nodeView.refresh();
  edgeView.refresh();

  // -- focus and search ------------------------------------------------------------------

  function focusNode(id) {
    var n = byId.get(id);
    if (!n) { return false; }
    viewMoved = true;  // the view goes to the node, not back to the whole drawing
    if (layersOn[n.layer] === false) { setLayer(n.layer, true); }
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.2), animation: {duration: 450, easingFunction: 'easeInOutQuad'}});
    showPanel(id);
    return true;
  }

  var searchForm = document.getElementById('search');
  var searchInput = document.getElementById('search-input');
  var searchMessage = document.getElementById('search-message');
  var searchResults = document.getElementById('search-results');
  var MAX_RESULTS = 12;

  // Any part of a name or a code: full-width letters and digits count as their ASCII
  // forms, case and spaces do not matter.
  function normalised(text) {
    return String(text || '').normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  }

  function indexItems() {  // what a page can find that it does not draw as a node
    var index = data.index;
    if (!index) { return []; }
    if (Array.isArray(index)) { return index; }
    return index.items.map(function (item) { return {id: item[0], name: item[1], href: index.hrefs[item[2]]}; });
  }

  function matches(q) {
    var needle = normalised(q);
    var exact = [], starts = [], contains = [];
    function consider(item, inGraph) {
      var id = normalised(item.id), name = normalised(item.name);
      var hit = {id: item.id, name: item.name, href: item.href, at: item.at, inGraph: inGraph};
      if (id === needle || name === needle) { exact.push(hit); }
      else if (id.indexOf(needle) === 0 || name.indexOf(needle) === 0) { starts.push(hit); }
      else if (id.indexOf(needle) >= 0 || name.indexOf(needle) >= 0) { contains.push(hit); }
    }
    data.nodes.forEach(function (n) { if (n.kind !== '汇总' && !n.copyOf) { consider(n, true); } });
    indexItems().forEach(function (item) { if (!byId.has(item.id)) { consider(item, false); } });
    return exact.concat(starts, contains);
  }

  function go(hit) {
    if (hit.inGraph) { return focusNode(hit.id); }
    if (hit.at && byId.has(hit.at)) { return focusNode(hit.at); }
    var href = safeHref(hit.href);
    if (href) { window.location.assign(href + '#focus=' + encodeURIComponent(hit.id)); }
    return !!href;
  }

  if (searchForm) {
    searchForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var q = searchInput.value.trim();
      searchResults.textContent = '';
      searchMessage.textContent = '';
      if (!q) { return; }
      var found = matches(q);
      if (!found.length) { searchMessage.textContent = '图中没有找到“' + q + '”'; return; }
      if (found.length === 1 || normalised(found[0].name) === normalised(q) || normalised(found[0].id) === normalised(q)) {
        go(found[0]);
        searchMessage.textContent = '已定位：' + found[0].name;
        return;
      }
      searchMessage.textContent = '找到 ' + found.length + ' 个，点击定位：';
      found.slice(0, MAX_RESULTS).forEach(function (hit) {
        var button = element('button', hit.name + '（' + hit.id + '）', 'linkish');
        button.type = 'button';
        button.addEventListener('click', function () { go(hit); });
        var li = document.createElement('li');
        li.appendChild(button);
        searchResults.appendChild(li);
      });
    });
  }

  // -- first draw ------------------------------------------------------------------------

  network.once('afterDrawing', function () {
    api.ready = true;
    document.body.setAttribute('data-graph-ready', '1');
    if (statusLine && data.nodes.length) { statusLine.hidden = true; }
    var wanted = data.focus;
    var hash = window.location.hash;
    if (hash.indexOf('#focus=') === 0) { wanted = decodeURIComponent(hash.slice(7)); }
    if (wanted && byId.has(wanted)) { window.setTimeout(function () { focusNode(wanted); }, 0); }
    else if (wanted) {  // not drawn here: an overview knows which segment's map has it
      var hit = indexItems().filter(function (item) { return item.id === wanted; })[0];
      if (hit && hit.at && byId.has(hit.at)) { window.setTimeout(function () { focusNode(hit.at); }, 0); }
      else if (hit && safeHref(hit.href)) { window.location.replace(safeHref(hit.href) + '#focus=' + encodeURIComponent(wanted)); }
    }
  });
  if (!data.nodes.length && statusLine) { statusLine.textContent = '没有可显示的对象。'; }
  fitDrawing();

  // The whole drawing (lanes and every visible node, boxes at their drawn size) fills the
  // graph area, zoomed in up to MAX_FIT_SCALE when it is small: a short chain is drawn
  // large, so its names get the room to be written out. fit() would stop at zoom 1 and
  // sees the nodes only.
  function fitDrawing() {
    var ids = nodeView.getIds();
    if (!ids.length && !data.lanes.length) { return; }
    var box = {left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity};
    function grow(l, t, r, b) {
      box.left = Math.min(box.left, l); box.top = Math.min(box.top, t);
      box.right = Math.max(box.right, r); box.bottom = Math.max(box.bottom, b);
    }
    data.lanes.forEach(function (lane) { grow(lane.x, lane.y, lane.x + lane.w, lane.y + lane.h); });
    var bounds = network.getBoundingBox ? ids.map(function (id) { return network.getBoundingBox(id); }) : [];
    bounds.forEach(function (b) { if (b) { grow(b.left, b.top, b.right, b.bottom); } });
    var width = container.clientWidth, height = container.clientHeight;
    // Room at either side for the names written at first sight under the nodes nearest the
    // edges (each as wide as its room allows at that zoom), so that none is cut at the edge;
    // names beside dots end inside their column (their room), so they need none.
    var measure = document.createElement('canvas').getContext('2d');
    var under = ranked.filter(function (n) { return n.side !== 'right' && n.rank < DOT_RANK && nodeVisible(n.id); });
    var margin = 24, pad = 12;
    var below = margin + 18 + 22;  // the bottom row's names, and the hint line over the graph's foot
    function scaleFor(left, right) {
      return Math.min((width - left - right) / Math.max(box.right - box.left, 1),
                      (height - margin - below) / Math.max(box.bottom - box.top, 1), MAX_FIT_SCALE);
    }
    var left = pad, right = pad, scale = scaleFor(left, right);
    for (var pass = 0; pass < 2; pass++) {
      var needLeft = pad, needRight = pad;
      under.forEach(function (n) {
        var half = Math.min(textWidth(measure, LABEL_PX + 'px ' + FONT, n.label), n.room ? n.room * scale : Infinity) / 2;
        needLeft = Math.max(needLeft, half + pad - (n.x - box.left) * scale);
        needRight = Math.max(needRight, half + pad - (box.right - n.x) * scale);
      });
      left = Math.min(needLeft, width / 4); right = Math.min(needRight, width / 4);
      scale = scaleFor(left, right);
    }
    network.moveTo({position: {x: (box.left + box.right) / 2 + (right - left) / 2 / scale,
                               y: (box.top + box.bottom) / 2 + (below - margin) / 2 / scale},
                    scale: scale});
  }
}());
