// The demo page's WebRTC client: offer, POST /offer, ping/pong on a data channel, and the
// camera and microphone sent to the server, which sends them back.
'use strict';

let pc = null;
let channel = null;
let timer = null;
let statsTimer = null;
let localStream = null;

const $ = (id) => document.getElementById(id);
const show = (id, text) => { $(id).textContent = text; };
const log = (line) => { $('log').textContent += line + '\n'; $('log').scrollTop = 1e9; };

function watchStates(pc) {
  const update = () => {
    show('ice-gathering-state', pc.iceGatheringState);
    show('ice-connection-state', pc.iceConnectionState);
    show('connection-state', pc.connectionState);
    show('signaling-state', pc.signalingState);
  };
  for (const e of ['icegatheringstatechange', 'iceconnectionstatechange',
                   'connectionstatechange', 'signalingstatechange']) {
    pc.addEventListener(e, update);
  }
  update();
}

// Waits for ICE gathering to complete, or at most `ms`: a browser can take long to finish
// (unreachable STUN, interfaces without a route) while its host candidates are ready at once,
// and rtcio needs no more than those.
function gatheringComplete(pc, ms = 2000) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => { if (pc.iceGatheringState === 'complete') done(); };
    const timer = setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

// Receive statistics of the echoed media, from getStats every second.
async function showStats() {
  if (!pc) return;
  const stats = [...(await pc.getStats()).values()];
  const codec = (s) => (stats.find((c) => c.id === s.codecId) || {}).mimeType || '?';
  for (const kind of ['video', 'audio']) {
    const s = stats.find((x) => x.type === 'inbound-rtp' && x.kind === kind);
    if (!s) continue;
    const prev = showStats.bytes[kind] || 0;
    const kbps = ((s.bytesReceived - prev) * 8 / 1000).toFixed(0);
    showStats.bytes[kind] = s.bytesReceived;
    const common = `${codec(s)}, ${s.packetsReceived} packets, ${s.packetsLost} lost, ` +
                   `jitter ${((s.jitter || 0) * 1000).toFixed(1)} ms, ${kbps} kbit/s`;
    show(`${kind}-stats`, kind === 'video'
      ? `${s.frameWidth || 0}x${s.frameHeight || 0} @ ${s.framesPerSecond || 0} fps, ` +
        `${s.framesDecoded || 0} frames decoded, ${common}`
      : common);
  }
}
showStats.bytes = {};

async function start() {
  $('start').disabled = true;
  $('log').textContent = '';
  pc = new RTCPeerConnection();
  watchStates(pc);
  if ($('use-media').checked) {
    try {
      localStream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
      $('local-video').srcObject = localStream;
      for (const track of localStream.getTracks()) pc.addTrack(track, localStream);
    } catch (e) {
      log('no camera/microphone: ' + e);
    }
  }
  pc.ontrack = (e) => {
    log(`${e.track.kind} track back from the server`);
    const el = $('remote-video');
    if (!el.srcObject) el.srcObject = new MediaStream();
    el.srcObject.addTrack(e.track);
  };
  showStats.bytes = {};
  statsTimer = setInterval(() => showStats().catch(() => {}), 1000);

  channel = pc.createDataChannel('chat', { ordered: true });
  show('channel-state', channel.readyState);
  channel.onopen = () => {
    show('channel-state', channel.readyState);
    log('channel open');
    timer = setInterval(() => {
      const message = 'ping ' + performance.now();
      log('> ' + message);
      channel.send(message);
    }, 1000);
  };
  channel.onclose = () => { show('channel-state', channel.readyState); clearInterval(timer); };
  channel.onmessage = (event) => {
    log('< ' + event.data);
    if (typeof event.data === 'string' && event.data.startsWith('pong ')) {
      const sent = parseFloat(event.data.slice(5));
      show('rtt', (performance.now() - sent).toFixed(1) + ' ms');
    }
  };

  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  show('offer-sdp', pc.localDescription.sdp);
  const response = await fetch('/offer', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sdp: pc.localDescription.sdp, type: pc.localDescription.type }),
  });
  if (!response.ok) {
    log('server error: ' + response.status + ' ' + await response.text());
    return;
  }
  const answer = await response.json();
  show('answer-sdp', answer.sdp);
  await pc.setRemoteDescription(answer);
  $('stop').disabled = false;
}

function stop() {
  $('stop').disabled = true;
  clearInterval(timer);
  clearInterval(statsTimer);
  if (channel) channel.close();
  if (pc) pc.close();
  if (localStream) for (const t of localStream.getTracks()) t.stop();
  localStream = null;
  $('local-video').srcObject = null;
  $('remote-video').srcObject = null;
  show('connection-state', 'closed');
  show('channel-state', 'closed');
  $('start').disabled = false;
}

$('start').addEventListener('click', () => start().catch((e) => log('error: ' + e)));
$('stop').addEventListener('click', stop);

// `?autostart` starts at once (for screenshots and smoke tests of the demo).
if (new URLSearchParams(location.search).has('autostart')) {
  start().catch((e) => log('error: ' + e));
}
