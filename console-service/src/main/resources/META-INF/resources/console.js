'use strict';
// The operator console. Every piece of event text is put in the page with textContent (never as markup); the token
// lives in this tab's sessionStorage and goes out only as a bearer header to this origin.

const TOKEN_KEY = 'deploy-stage-token';
const ACTIVE = new Set(['QUEUED', 'RUNNING', 'PAUSED', 'WAITING_FOR_WINDOW', 'ROLLING_BACK']);
const state = { token: sessionStorage.getItem(TOKEN_KEY), me: null, releases: new Map(), selected: null, timeline: [],
  deployments: new Map(), flags: [], stream: null, dirty: false, artifact: null };

const $ = (selector) => document.querySelector(selector);

/** An element with attributes and children; strings become text nodes. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v; else if (k.startsWith('data-')) node.setAttribute(k, v); else node[k] = v;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const time = (ms) => ms ? new Date(ms).toLocaleTimeString() : '';
const num = (v) => v === null || v === undefined ? '' : (typeof v === 'number' ? +v.toFixed(4) : String(v));

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + state.token }, options.headers || {});
  const response = await fetch('api/' + path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    signOut('the token was refused (expired, or not of this issuer)');
    throw new Error('unauthorized');
  }
  return response;
}

// ---- sign in --------------------------------------------------------------------------------------------------------

async function signIn(token) {
  state.token = token.trim();
  sessionStorage.setItem(TOKEN_KEY, state.token);
  try {
    const response = await api('me');
    if (!response.ok) throw new Error('HTTP ' + response.status);
    state.me = await response.json();
  } catch (e) {
    $('#login-error').textContent = 'cannot sign in: ' + e.message;
    return;
  }
  $('#login').hidden = true;
  $('#console').hidden = false;
  $('#logout').hidden = false;
  $('#who').textContent = state.me.user + ' (' + (state.me.roles || []).join(', ') + ')';
  follow();
  refreshFlags();
  clearInterval(state.flagTimer); // one refresh however often one signs in again
  state.flagTimer = setInterval(refreshFlags, 5000);
}

function signOut(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  if (state.stream) state.stream.abort();
  clearInterval(state.flagTimer);
  state.flagTimer = null;
  $('#console').hidden = true;
  $('#logout').hidden = true;
  $('#login').hidden = false;
  $('#who').textContent = '';
  $('#login-error').textContent = why || '';
}

// ---- the event stream (Server-Sent Events over fetch, so the token goes in a header) --------------------------------

async function follow() {
  while (state.token) {
    const controller = new AbortController();
    state.stream = controller;
    try {
      const response = await api('events', { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      reset();
      connection(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
          if (data) onEvent(JSON.parse(data));
        }
      }
    } catch (e) {
      if (!state.token) return;
    }
    connection(false);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function connection(on) {
  const node = $('#connection');
  node.textContent = on ? 'live' : 'reconnecting…';
  node.className = 'connection ' + (on ? 'on' : 'off');
}

/** A fresh connection replays what the console holds: start from nothing. */
function reset() {
  state.releases.clear();
  state.timeline = [];
  schedule();
}

function release(id) {
  if (!state.releases.has(id)) {
    state.releases.set(id, { id, service: '', version: '', gate: '', reasons: [], plan: null, outcome: null, last: 0,
      deployments: new Map(), verdicts: [], rollbacks: [], commands: [] });
  }
  return state.releases.get(id);
}

function deploymentOf(r, id) {
  if (!r.deployments.has(id)) r.deployments.set(id, { id, steps: new Map(), outcome: null });
  return r.deployments.get(id);
}

function onEvent(e) {
  if (e.type === 'Heartbeat') return;
  state.seen = (state.seen || 0) + 1;
  document.body.dataset.seen = state.seen;
  const r = release(e.releaseId);
  const ev = e.event;
  r.last = Math.max(r.last, e.at);
  switch (e.type) {
    case 'ReleaseCandidate': r.service = ev.service; r.version = ev.version; break;
    case 'GateDecision':
      r.service = ev.service; r.version = ev.version; r.gate = ev.outcome;
      r.reasons = (ev.reasons || []).map((x) => x.message);
      break;
    case 'DeploymentPlan': r.plan = { strategy: ev.strategy, risk: ev.risk, rationale: ev.rationale }; break;
    case 'StepEvent': {
      const d = deploymentOf(r, ev.deploymentId);
      d.steps.set(ev.stepId + (ev.rollback ? ' (rollback)' : ''), ev);
      break;
    }
    case 'DeploymentOutcome': r.outcome = ev.outcome; deploymentOf(r, ev.deploymentId).outcome = ev; break;
    case 'HealthVerdict': deploymentOf(r, ev.deploymentId); r.verdicts.push(ev); break;
    case 'RollbackCommand': r.rollbacks.push(ev); break;
    case 'OperatorCommand': r.commands.push(ev); break;
    default: break;
  }
  state.timeline.push(e.line + '  [' + e.releaseId + ']');
  if (state.timeline.length > 300) state.timeline.shift();
  if (state.selected === e.releaseId && ev.deploymentId) refreshDeployment(ev.deploymentId);
  schedule();
}

/** Redraws at most twice a second: a burst of events (a reconnect replays thousands) costs one redraw, not one each. */
function schedule() {
  if (state.dirty) return;
  state.dirty = true;
  setTimeout(() => { state.dirty = false; render(); }, 500);
}

// ---- what the executor has now (state, next step), asked when something happens to a shown deployment -------------

const pending = new Map();
function refreshDeployment(id) {
  if (pending.has(id)) return;
  pending.set(id, setTimeout(async () => {
    pending.delete(id);
    try {
      const response = await api('deployments/' + encodeURIComponent(id));
      if (response.ok) { state.deployments.set(id, await response.json()); schedule(); }
    } catch (e) { /* shown on the next event */ }
  }, 300));
}

async function refreshFlags() {
  try {
    const response = await api('flags');
    if (response.ok) { state.flags = await response.json(); schedule(); }
  } catch (e) { /* next time */ }
}

// ---- rendering -------------------------------------------------------------------------------------------------------

function render() {
  renderReleases();
  renderDetail();
  renderFlags();
  const timeline = $('#timeline');
  timeline.replaceChildren(...state.timeline.slice().reverse().map((line) => el('li', {}, line)));
}

function renderReleases() {
  const rows = [...state.releases.values()].sort((a, b) => b.last - a.last).slice(0, 200).map((r) => {
    const row = el('tr', { class: 'release' + (r.id === state.selected ? ' selected' : ''), 'data-release': r.id },
      el('td', {}, r.id), el('td', {}, r.service), el('td', {}, r.version), el('td', { class: 'gate ' + r.gate }, r.gate),
      el('td', { class: 'reasons' }, r.reasons.length ? el('ul', {}, r.reasons.map((m) => el('li', {}, m))) : ''),
      el('td', { class: 'plan' }, r.plan ? r.plan.strategy + ' (risk ' + r.plan.risk + ')' : ''),
      el('td', { class: 'outcome ' + (r.outcome || '') }, r.outcome || ''), el('td', {}, time(r.last)));
    row.addEventListener('click', () => select(r.id));
    return row;
  });
  $('#releases tbody').replaceChildren(...rows);
}

function select(id) {
  state.selected = id;
  state.artifact = null;
  $('#artifact').replaceChildren();
  const r = state.releases.get(id);
  if (r) r.deployments.forEach((d) => refreshDeployment(d.id));
  schedule();
}

function renderDetail() {
  const r = state.selected && state.releases.get(state.selected);
  $('#detail').hidden = !r;
  if (!r) return;
  $('#detail-release').textContent = r.id + (r.service ? ' — ' + r.service + ' ' + r.version : '');
  $('#deployments').replaceChildren(...[...r.deployments.values()].map((d) => renderDeployment(r, d)));
  const breaches = r.verdicts.filter((v) => v.verdict === 'FAILING');
  $('#breaches').hidden = breaches.length === 0;
  $('#breaches tbody').replaceChildren(...breaches.map((v) => el('tr', { class: 'breach' },
    el('td', {}, time(v.occurredAt)), el('td', {}, v.check), el('td', {}, v.environment.toLowerCase() + ' ' + v.cohort.toLowerCase()),
    el('td', { class: 'FAILING' }, num(v.value)), el('td', {}, num(v.threshold)), el('td', {}, num(v.baseline)), el('td', {}, v.reason))));
  renderCharts(r);
  $('#verdicts tbody').replaceChildren(...r.verdicts.slice(-200).reverse().map((v) =>
    el('tr', { class: 'verdict ' + v.verdict.toLowerCase(), 'data-check': v.check },
      el('td', {}, time(v.occurredAt)), el('td', { class: 'check' }, v.check),
      el('td', {}, v.environment.toLowerCase() + ' ' + v.cohort.toLowerCase()), el('td', { class: 'result ' + v.verdict }, v.verdict),
      el('td', { class: 'value' }, num(v.value)), el('td', { class: 'threshold' }, num(v.threshold)),
      el('td', { class: 'baseline' }, num(v.baseline)), el('td', {}, v.sampleCount), el('td', { class: 'reason' }, v.reason))));
  $('#rollbacks tbody').replaceChildren(...r.rollbacks.map((c) =>
    el('tr', { class: 'rollback' }, el('td', {}, time(c.occurredAt)), el('td', {}, c.requestedBy), el('td', { class: 'reason' }, c.reason))));
  $('#commands tbody').replaceChildren(...r.commands.map((c) =>
    el('tr', { class: 'command' }, el('td', {}, time(c.occurredAt)), el('td', {}, c.action), el('td', {}, c.operator), el('td', {}, c.comment || ''))));
}

function renderDeployment(r, d) {
  const now = state.deployments.get(d.id);
  const current = now ? now.state : (d.outcome ? d.outcome.outcome : 'RUNNING');
  const steps = [...d.steps.entries()].map(([name, s]) => el('tr', { class: 'step', 'data-step': name },
    el('td', {}, time(s.occurredAt)), el('td', {}, name), el('td', {}, s.environment.toLowerCase()),
    el('td', { class: s.status }, s.status), el('td', {}, s.instance || ''), el('td', {}, s.detail || s.action)));
  const box = el('div', { class: 'deployment', 'data-deployment': d.id },
    el('div', {}, el('strong', {}, 'Deployment ' + d.id), ' ', el('span', { class: 'state ' + current }, current),
      // where it stands, while it runs; an ended deployment has no next step
      now && ACTIVE.has(current) ? ' — phase ' + now.phase + (now.nextStep ? ', next step ' + now.nextStep : '') : '',
      d.outcome && d.outcome.reason ? el('div', { class: 'reason' }, d.outcome.reason) : ''),
    actions(d.id, current),
    el('table', {}, el('thead', {}, el('tr', {}, ['time', 'step', 'environment', 'status', 'instance', 'detail'].map((h) => el('th', {}, h)))),
      el('tbody', {}, steps)));
  return box;
}

function actions(id, current) {
  const may = (state.me && state.me.may) || {};
  const buttons = [];
  const add = (action, label, allowed) => {
    if (!allowed) return;
    const b = el('button', { 'data-action': action, 'data-deployment': id }, label);
    b.addEventListener('click', () => confirmCommand(label + ' deployment ' + id + '?', 'deployments/' + id + '/' + action));
    buttons.push(b);
  };
  const active = ACTIVE.has(current);
  add('pause', 'Pause', may.steer && current === 'RUNNING');
  add('resume', 'Resume', may.steer && current === 'PAUSED');
  add('abort', 'Abort', may.steer && active && current !== 'ROLLING_BACK');
  add('rollback', 'Roll back', may.steer && current !== 'ROLLING_BACK' && current !== 'ROLLED_BACK');
  add('approve', 'Approve', may.approve && active);
  return el('div', { class: 'actions' }, buttons);
}

/** One chart per check and environment/cohort: values over time, the threshold and the baseline as lines. */
function renderCharts(r) {
  const series = new Map();
  for (const v of r.verdicts) {
    if (v.value === null || v.value === undefined) continue;
    const key = v.check + ' — ' + v.environment.toLowerCase() + ' ' + v.cohort.toLowerCase();
    if (!series.has(key)) series.set(key, []);
    series.get(key).push(v);
  }
  const ns = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs) => { const n = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); return n; };
  const figures = [...series.entries()].map(([key, points]) => {
    const W = 260, H = 90, P = 6;
    const t0 = Math.min(...points.map((p) => p.occurredAt)), t1 = Math.max(...points.map((p) => p.occurredAt));
    const ys = points.flatMap((p) => [p.value, p.threshold, p.baseline]).filter((y) => typeof y === 'number');
    const y0 = Math.min(0, ...ys), y1 = Math.max(...ys) || 1;
    const x = (t) => P + (t1 === t0 ? (W - 2 * P) / 2 : (t - t0) / (t1 - t0) * (W - 2 * P));
    const y = (v) => H - P - (v - y0) / ((y1 - y0) || 1) * (H - 2 * P);
    const chart = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    const last = points[points.length - 1];
    if (typeof last.threshold === 'number') chart.append(svg('line', { class: 'threshold', x1: P, x2: W - P, y1: y(last.threshold), y2: y(last.threshold) }));
    if (typeof last.baseline === 'number') chart.append(svg('line', { class: 'baseline', x1: P, x2: W - P, y1: y(last.baseline), y2: y(last.baseline) }));
    for (const p of points) {
      const dot = svg('circle', { class: 'point ' + p.verdict, cx: x(p.occurredAt), cy: y(p.value), r: 3 });
      const title = svg('title', {});
      title.textContent = time(p.occurredAt) + ' ' + p.verdict + ': ' + num(p.value);
      dot.append(title);
      chart.append(dot);
    }
    return el('figure', { class: 'chart', 'data-series': key }, chart,
      el('figcaption', {}, key + ': last ' + num(last.value) + (typeof last.threshold === 'number' ? ', threshold ' + num(last.threshold) : '')
        + (typeof last.baseline === 'number' ? ', baseline ' + num(last.baseline) : '')));
  });
  $('#charts').replaceChildren(el('div', { class: 'charts' }, figures));
}

function renderFlags() {
  const may = (state.me && state.me.may) || {};
  $('#flags tbody').replaceChildren(...state.flags.map((f) => {
    let kill = '';
    if (may.killFlags && !f.killed) {
      kill = el('button', { 'data-kill': f.key }, 'Kill switch');
      kill.addEventListener('click', () => confirmCommand('Kill flag ' + f.key + ' (everyone gets it off at once)?', 'flags/' + f.key + '/kill'));
    }
    return el('tr', { class: 'flag', 'data-flag': f.key }, el('td', {}, f.key), el('td', {}, String(f.enabled)),
      el('td', {}, f.rolloutPercent + '%'), el('td', {}, String(f.internalEnabled)), el('td', { class: f.killed ? 'FAILED' : '' }, String(f.killed)), el('td', {}, kill));
  }));
}

// ---- commands: confirmed, with a comment, sent with the operator's token ---------------------------------------------

function confirmCommand(text, path) {
  const dialog = $('#confirm');
  $('#confirm-text').textContent = text;
  $('#confirm-comment').value = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'ok') return;
    const response = await api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: $('#confirm-comment').value }) });
    const body = await response.text();
    toast(response.ok ? 'sent: ' + text : 'refused (HTTP ' + response.status + '): ' + body);
    refreshFlags();
  };
  dialog.showModal();
}

function toast(text) {
  const node = el('div', { class: 'toast', role: 'status' }, text);
  document.body.append(node);
  setTimeout(() => node.remove(), 8000);
}

async function showArtifact(which) {
  const r = state.releases.get(state.selected);
  if (!r) return;
  let html = '';
  if (which === 'completed') {
    const d = [...r.deployments.keys()].pop();
    if (!d) { $('#artifact').textContent = 'no deployment yet'; return; }
    const response = await api('deployments/' + encodeURIComponent(d) + '/checklist');
    html = response.ok ? (await response.json()).html : '';
  } else {
    const response = await api('releases/' + encodeURIComponent(r.id) + '/artifacts');
    html = response.ok ? (await response.json())[which] : '';
  }
  // rendered by the console from Markdown with any HTML in it escaped (see Markdown.java)
  const doc = new DOMParser().parseFromString(html, 'text/html');
  $('#artifact').replaceChildren(...doc.body.childNodes);
  $('#artifact').setAttribute('data-shown', which);
}

document.addEventListener('DOMContentLoaded', () => {
  $('#sign-in').addEventListener('click', () => signIn($('#token').value));
  $('#logout').addEventListener('click', () => signOut(''));
  document.querySelectorAll('button.artifact').forEach((b) => b.addEventListener('click', () => showArtifact(b.dataset.artifact)));
  if (state.token) signIn(state.token); else signOut('');
});
