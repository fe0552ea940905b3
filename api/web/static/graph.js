/* redchain graph pages: draw the payload of <script id="redchain-data"> with vis-network.
 *
 * Safety: the payload is read with JSON.parse, never evaluated; every string from it is
 * shown with textContent or drawn on the canvas, never assigned to innerHTML; links are
 * followed only if they are site-relative paths or sibling .html files.
 * For tests: window.redchainNetwork = {network, nodes, edges, data, ready, focus, drawn}.
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
  var LANE_FILL = {
    upstream: '#eaf2f8', midstream: '#e9f7ef', downstream: '#fef5e7', plain: '#f4f6f6', segment: 'rgba(255,255,255,0.72)'
  };
  var LANE_TEXT = {upstream: '#1a5276', midstream: '#196f3d', downstream: '#9c640c', plain: '#424949', segment: '#34495e'};
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

  function visNode(n) {
    var st = styles.nodes[n.style];
    var fill = n.color || st.color;
    var border = n.border || st.border;
    var inside = (n.shape || st.shape) === 'box';
    var node = {
      id: n.id, label: n.label, x: n.x, y: n.y,
      shape: n.shape || st.shape,
      size: n.size || st.size,
      borderWidth: n.style === 'none' ? 2.5 : 1.5,
      color: {background: fill, border: border,
              highlight: {background: fill, border: '#000000'}, hover: {background: fill, border: '#000000'}},
      font: {face: FONT, size: inside ? 15 : 13, color: st.font_color, strokeWidth: inside ? 0 : 3, strokeColor: '#ffffff'},
      shapeProperties: {borderDashes: st.dashes.length ? st.dashes : false}
    };
    if (inside) { node.margin = 10; node.widthConstraint = {maximum: 260}; }
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
      font: {face: FONT, size: 12, color: '#424949', strokeWidth: 3, strokeColor: '#ffffff', align: 'horizontal'}
    };
    if (e.label) { edge.label = e.label; }
    return edge;
  }

  function nodeVisible(id) {
    var n = byId.get(id);
    return !!n && layersOn[n.layer] !== false;
  }

  var edgeLayer = {};
  data.edges.forEach(function (e, i) { edgeLayer['e' + i] = styles.edges[e.style].layer; });

  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var nodeView = new vis.DataView(nodes, {filter: function (n) { return nodeVisible(n.id); }});
  var edgeView = new vis.DataView(edges, {filter: function (e) {
    return layersOn[edgeLayer[e.id]] !== false && nodeVisible(e.from) && nodeVisible(e.to);
  }});

  var options = {
    physics: false,
    layout: {improvedLayout: false},
    edges: {smooth: false, selectionWidth: 1.5, hoverWidth: 0.5},
    nodes: {scaling: {label: {drawThreshold: 6}}},
    interaction: {
      hover: true, tooltipDelay: 200, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
      multiselect: false, navigationButtons: false, keyboard: false, zoomSpeed: 0.6
    }
  };
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, options);

  var api = {
    network: network, nodes: nodes, edges: edges, data: data, ready: false,
    focus: focusNode,
    drawn: function () { return network.body.nodeIndices.length; },
    drawnEdges: function () { return network.body.edgeIndices.length; }
  };
  window.redchainNetwork = api;

  // -- lanes behind the nodes ------------------------------------------------------------

  network.on('beforeDrawing', function (ctx) {
    ctx.save();
    data.lanes.forEach(function (lane) {
      var segment = lane.tone === 'segment';
      ctx.fillStyle = LANE_FILL[lane.tone] || LANE_FILL.plain;
      ctx.fillRect(lane.x, lane.y, lane.w, lane.h);
      if (segment) {
        ctx.strokeStyle = '#d5d8dc';
        ctx.lineWidth = 1;
        ctx.strokeRect(lane.x, lane.y, lane.w, lane.h);
      }
      ctx.fillStyle = LANE_TEXT[lane.tone] || LANE_TEXT.plain;
      ctx.font = (segment ? '600 17px ' : 'bold 26px ') + FONT;
      ctx.textBaseline = 'top';
      // A stage's name is centred (the edges of a lane may lie outside the fitted view).
      ctx.textAlign = segment ? 'left' : 'center';
      var x = segment ? lane.x + 12 : lane.x + lane.w / 2;
      ctx.fillText(lane.title, x, lane.y + (segment ? 8 : 10), Math.max(lane.w - 24, 40));
    });
    ctx.restore();
  });

  // -- tooltip ---------------------------------------------------------------------------

  var tooltip = document.getElementById('tooltip');
  network.on('hoverNode', function (params) {
    var n = byId.get(params.node);
    if (!n || !tooltip) { return; }
    tooltip.textContent = '';
    var strong = document.createElement('strong');
    strong.textContent = n.name;
    var kind = document.createElement('span');
    kind.textContent = n.kind + (styles.nodes[n.style] ? ' · ' + styles.nodes[n.style].text : '');
    tooltip.appendChild(strong);
    tooltip.appendChild(kind);
    tooltip.style.left = (params.pointer.DOM.x + 14) + 'px';
    tooltip.style.top = (params.pointer.DOM.y + 14) + 'px';
    tooltip.hidden = false;
  });
  network.on('blurNode', function () { if (tooltip) { tooltip.hidden = true; } });
  network.on('dragStart', function () { if (tooltip) { tooltip.hidden = true; } });

  // -- side panel ------------------------------------------------------------------------

  var panelEmpty = document.getElementById('panel-empty');
  var panelBody = document.getElementById('panel-body');
  var MAX_NEIGHBOURS = 60;

  function element(tag, text, className) {
    var el = document.createElement(tag);
    if (text !== undefined && text !== null) { el.textContent = String(text); }
    if (className) { el.className = className; }
    return el;
  }

  function showPanel(id) {
    var n = byId.get(id);
    if (!n || !panelBody) { return; }
    document.getElementById('panel-kind').textContent =
      n.kind + (styles.nodes[n.style] ? ' · ' + styles.nodes[n.style].text : '');
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
    panelEmpty.hidden = true;
    panelBody.hidden = false;
  }

  network.on('click', function (params) {
    if (params.nodes.length) { showPanel(params.nodes[0]); }
  });
  network.on('doubleClick', function (params) {
    var n = params.nodes.length ? byId.get(params.nodes[0]) : null;
    var href = n && safeHref(n.href);
    if (href) { window.location.assign(href); }
  });

  // -- layers ----------------------------------------------------------------------------

  function setLayer(key, on) {
    layersOn[key] = on;
    var box = document.querySelector('input[data-layer="' + key + '"]');
    if (box) { box.checked = on; }
    nodeView.refresh();
    edgeView.refresh();
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
    if (layersOn[n.layer] === false) { setLayer(n.layer, true); }
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: {duration: 450, easingFunction: 'easeInOutQuad'}});
    showPanel(id);
    return true;
  }

  var searchForm = document.getElementById('search');
  var searchInput = document.getElementById('search-input');
  var searchMessage = document.getElementById('search-message');
  var searchResults = document.getElementById('search-results');
  var MAX_RESULTS = 12;

  function matches(q) {
    var needle = q.toLowerCase();
    var exact = [], starts = [], contains = [];
    function consider(item, inGraph) {
      var id = String(item.id).toLowerCase();
      var name = String(item.name || '').toLowerCase();
      var hit = {id: item.id, name: item.name, href: item.href, inGraph: inGraph};
      if (id === needle || name === needle) { exact.push(hit); }
      else if (id.indexOf(needle) === 0) { starts.push(hit); }
      else if (name.indexOf(needle) >= 0) { contains.push(hit); }
    }
    data.nodes.forEach(function (n) { consider(n, true); });
    (data.index || []).forEach(function (item) { if (!byId.has(item.id)) { consider(item, false); } });
    return exact.concat(starts, contains);
  }

  function go(hit) {
    if (hit.inGraph) { return focusNode(hit.id); }
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
      if (!found.length) { searchMessage.textContent = '没有找到“' + q + '”'; return; }
      if (found.length === 1 || found[0].name === q || found[0].id === q) {
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
    if (data.selected && byId.has(data.selected)) {
      network.selectNodes([data.selected]);
      showPanel(data.selected);
    }
    var wanted = data.focus;
    var hash = window.location.hash;
    if (hash.indexOf('#focus=') === 0) { wanted = decodeURIComponent(hash.slice(7)); }
    if (wanted && byId.has(wanted)) { window.setTimeout(function () { focusNode(wanted); }, 0); }
  });
  if (!data.nodes.length && statusLine) { statusLine.textContent = '没有可显示的对象。'; }
  network.fit();
}());
