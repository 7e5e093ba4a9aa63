// A small WHIP / WHEP server on werift (an independent TypeScript WebRTC
// stack), for interop tests of reswhipsink / reswhepsrc.
//
//   node server.js --mode whip --port 8080 --rtp-port 5004
//     every received video RTP packet is forwarded to udp 127.0.0.1:5004
//     (the test decodes it with GStreamer);
//   node server.js --mode whep --port 8080 --rtp-port 5006
//     video RTP arriving on udp 127.0.0.1:5006 (VP8, from a GStreamer
//     pipeline) is sent to every WHEP viewer.
//
// POST /<mode> (application/sdp) -> 201 + Location /resource/<n>;
// PATCH /resource/<n> (trickle-ice-sdpfrag) -> 204; DELETE -> 200.
"use strict";

const http = require("http");
const dgram = require("dgram");
const {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  MediaStreamTrack,
} = require("werift");

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const mode = args.mode || "whip";
const port = parseInt(args.port || "0", 10);
const rtpPort = parseInt(args["rtp-port"] || "0", 10);

const videoCodecs = [
  new RTCRtpCodecParameters({
    mimeType: "video/VP8",
    clockRate: 90000,
    rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
  }),
  new RTCRtpCodecParameters({
    mimeType: "video/H264",
    clockRate: 90000,
    rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
    parameters:
      "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
  }),
];
const audioCodecs = [
  new RTCRtpCodecParameters({
    mimeType: "audio/opus",
    clockRate: 48000,
    channels: 2,
  }),
];

const sessions = new Map();
let nextId = 1;
const udp = dgram.createSocket("udp4");
const viewers = new Set();
let forwarded = 0;

if (mode === "whep") {
  udp.on("message", (data) => {
    for (const track of viewers) track.writeRtp(data);
  });
  udp.bind(rtpPort, "127.0.0.1");
}

function waitGathering(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    const timer = setTimeout(resolve, 3000);
    pc.iceGatheringStateChange.subscribe((s) => {
      if (s === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function answer(offer) {
  const pc = new RTCPeerConnection({
    // WHEP: the content is VP8 (see the header), so only VP8 is answered
    codecs: {
      video: mode === "whep" ? videoCodecs.slice (0, 1) : videoCodecs,
      audio: audioCodecs,
    },
    iceUseIpv6: false,
    iceServers: [], // no default public STUN: this runs offline
    iceAdditionalHostAddresses: ["127.0.0.1"],
    bundlePolicy: "max-bundle",
  });
  const session = { pc, track: null };
  if (mode === "whip") {
    pc.onTrack.subscribe((track) => {
      if (track.kind !== "video") return;
      track.onReceiveRtp.subscribe((rtp) => {
        forwarded++;
        udp.send(rtp.serialize(), rtpPort, "127.0.0.1");
      });
    });
  }
  await pc.setRemoteDescription({ type: "offer", sdp: offer });
  if (mode === "whep") {
    for (const t of pc.getTransceivers()) {
      if (t.kind === "video" && !session.track) {
        session.track = new MediaStreamTrack({ kind: "video" });
        t.sender.replaceTrack(session.track);
        t.setDirection("sendonly");
        viewers.add(session.track);
      } else {
        t.setDirection("inactive");
      }
    }
  }
  await pc.setLocalDescription(await pc.createAnswer());
  await waitGathering(pc);
  if (process.env.WERIFT_DEBUG_SDP) console.log(pc.localDescription.sdp);
  return { session, sdp: pc.localDescription.sdp };
}

function body(req) {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => resolve(data));
  });
}

const server = http.createServer(async (req, res) => {
  try {
    const text = await body(req);
    if (req.method === "POST" && req.url === "/" + mode) {
      if (req.headers["content-type"] !== "application/sdp") {
        res.writeHead(415).end();
        return;
      }
      const { session, sdp } = await answer(text);
      const id = nextId++;
      sessions.set(id, session);
      res.writeHead(201, {
        "Content-Type": "application/sdp",
        Location: "/resource/" + id,
        ETag: '"' + id + '"',
      });
      res.end(sdp);
      return;
    }
    const m = /^\/resource\/(\d+)$/.exec(req.url);
    const session = m && sessions.get(parseInt(m[1], 10));
    if (!session) {
      res.writeHead(404).end();
      return;
    }
    if (req.method === "PATCH") {
      let mid = "0";
      for (const line of text.split(/\r?\n/)) {
        if (line.startsWith("a=mid:")) mid = line.substring(6);
        if (line.startsWith("a=candidate:"))
          await session.pc.addIceCandidate({
            candidate: line.substring(2),
            sdpMid: mid,
            sdpMLineIndex: 0,
          });
      }
      res.writeHead(204).end();
      return;
    }
    if (req.method === "DELETE") {
      sessions.delete(parseInt(m[1], 10));
      if (session.track) viewers.delete(session.track);
      await session.pc.close();
      res.writeHead(200).end();
      return;
    }
    res.writeHead(405).end();
  } catch (e) {
    console.error("error:", e);
    res.writeHead(500, { "Content-Type": "text/plain" }).end(String(e));
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log("LISTENING " + server.address().port);
});
setInterval(() => {
  if (mode === "whip" && forwarded) console.log("forwarded " + forwarded);
}, 1000);
process.on("SIGTERM", () => process.exit(0));
