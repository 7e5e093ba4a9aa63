/* gst-resilient: reswhipserversrc
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-reswhipserversrc
 * @title: reswhipserversrc
 *
 * A live source bin serving a WHIP endpoint (RFC 9725). A publisher POSTs
 * its offer with `Authorization: Bearer <stream key>`; its media is
 * decoded and comes out of the always-present `video` (I420, fixed size
 * and rate) and `audio` (S16LE 48 kHz stereo) pads. When the publisher
 * goes (DELETE, connection lost, silent), the output keeps flowing: the
 * last frame held, then black and silence; a publisher that comes back
 * takes over in the same output, timestamps running on. A second
 * publisher replaces the first once its media flows (takeover=replace) or
 * gets 409 (takeover=refuse).
 *
 * ## Example launch line
 * |[
 * RESILIENT_STREAM_KEY=secret gst-launch-1.0 reswhipserversrc name=s \
 *     port=8890 path=/whip  s.video ! queue ! autovideosink \
 *     s.audio ! queue ! autoaudiosink
 * ]|
 *
 * Roles: server/endpoint (HTTP), server/answerer (offer -> answer),
 * server/publisher (one publisher's pipeline), server/ingestoutput (the
 * output stage); decisions in lib/resilient/server/whipingest.h.
 * Threads: HTTP, publisher bookkeeping and timers on the element's
 * ControlLoop; streaming threads only push into the output stage.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "server/gstreswhipserversrc.h"

#include "common/controlloop.h"
#include "common/messages.h"
#include "common/selfref.h"
#include "elements.h"
#include "resilient/server/whipingest.h"
#include "server/answerer.h"
#include "server/endpoint.h"
#include "server/ingestoutput.h"
#include "server/ingestrecording.h"
#include "server/publisher.h"
#include "server/util.h"
#include "server/whipsrcsettings.h"

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (res_whip_server_src_debug);
#define GST_CAT_DEFAULT res_whip_server_src_debug

using resilient::TimePoint;
using resilient::gst::ControlLoop;
using resilient::gst::post_element_message;
using resilient::gst::RecordingConfig;
using resilient::gst::register_enum_once;
using resilient::gst::SelfRef;
using namespace resilient::gst::server;
namespace srv = resilient::server;

namespace {

using namespace resilient::gst::server::whipsrc;

struct Session
{
  std::unique_ptr<Publisher> pub;
  SoupServerMessage *pending = nullptr; /* POST paused until the answer */
};

struct Counts
{
  guint64 publishers_total = 0, connected = 0, replaced = 0, lost = 0;
  std::string active_id, active_remote;
};

struct Private
{
  std::mutex lock;
  Settings settings; /* under lock */
  Counts counts;     /* under lock */

  ControlLoop loop{ "reswhipserversrc" };
  std::unique_ptr<Endpoint> endpoint;
  /* made on NULL->READY, gone on READY->NULL (state-change thread) */
  std::shared_ptr<IngestOutput> output;
  std::unique_ptr<IngestRecording> recording; /* when recording-location */
  GstPad *video_pad = nullptr;                /* ghost pads, always there */
  GstPad *audio_pad = nullptr;

  /* loop thread only */
  Settings running;
  std::unique_ptr<srv::PublisherSlot> slot;
  std::map<std::string, Session> sessions;
  std::map<std::string, guint64> rtp_seen;
  ControlLoop::TimerId tick_timer = 0;
};

} // namespace

struct _GstResWhipServerSrc
{
  GstBin parent;
  Private *priv;
};

#define gst_res_whip_server_src_parent_class parent_class
G_DEFINE_TYPE (GstResWhipServerSrc, gst_res_whip_server_src, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (reswhipserversrc, "reswhipserversrc",
                             GST_RANK_NONE, GST_TYPE_RES_WHIP_SERVER_SRC);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE (
    "video", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate audio_template = GST_STATIC_PAD_TEMPLATE (
    "audio", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("audio/x-raw"));

using Ref = SelfRef<GstResWhipServerSrc>;

/* ------------------------------------------------------------------ */
/* Publishers (loop thread)                                            */

static void
drop_session (GstResWhipServerSrc *self, std::string id)
{
  Private *priv = self->priv;
  auto it = priv->sessions.find (id);
  if (it == priv->sessions.end ())
    return;
  Session s = std::move (it->second);
  priv->sessions.erase (it);
  priv->rtp_seen.erase (id);
  if (SoupServerMessage *msg = std::exchange (s.pending, nullptr)) {
    send_problem (msg, 500, "Internal Server Error",
                  "the session ended before its answer was ready");
    soup_server_message_unpause (msg);
    g_object_unref (msg);
  }
  s.pub.reset (); /* pipeline to NULL, here on the loop */
}

static void
post_event (GstResWhipServerSrc *self, const srv::PublisherEvent &e)
{
  using Kind = srv::PublisherEvent::Kind;
  const char *name = e.kind == Kind::Connected  ? "publisher-connected"
                     : e.kind == Kind::Replaced ? "publisher-replaced"
                                                : "publisher-lost";
  GstStructure *s = gst_structure_new (
      (std::string ("reswhipserversrc-") + name).c_str (), "session-id",
      G_TYPE_STRING, e.id.c_str (), "remote-address", G_TYPE_STRING,
      e.remote.c_str (), NULL);
  if (e.kind == Kind::Replaced)
    gst_structure_set (s, "previous-session-id", G_TYPE_STRING,
                       e.previous_id.c_str (), "previous-remote-address",
                       G_TYPE_STRING, e.previous_remote.c_str (), NULL);
  if (e.kind == Kind::Lost)
    gst_structure_set (s, "reason", G_TYPE_STRING, e.reason.c_str (), NULL);
  if (e.kind != Kind::Connected)
    gst_structure_set (
        s, "active-ms", G_TYPE_UINT64,
        (guint64)std::max<gint64> (0, resilient::to_ms (e.active_for)), NULL);
  GST_INFO_OBJECT (self, "%s: %s (%s) %s", name, e.id.c_str (),
                   e.remote.c_str (), e.reason.c_str ());
  post_element_message (GST_ELEMENT (self), s);
}

/* Carries out the slot's decisions: who feeds the output, who goes. */
static void
apply_events (GstResWhipServerSrc *self,
              const std::vector<srv::PublisherEvent> &evs)
{
  using Kind = srv::PublisherEvent::Kind;
  Private *priv = self->priv;
  for (const auto &e : evs) {
    if (e.kind == Kind::Connected || e.kind == Kind::Replaced) {
      auto it = priv->sessions.find (e.id);
      if (it != priv->sessions.end ())
        it->second.pub->set_active (true);
    }
    /* the old one goes after the new one is on (make before break) */
    if (e.kind != Kind::Connected)
      drop_session (self, e.kind == Kind::Replaced ? e.previous_id : e.id);
    {
      std::lock_guard<std::mutex> g (priv->lock);
      Counts &c = priv->counts;
      c.connected += e.kind == Kind::Connected;
      c.replaced += e.kind == Kind::Replaced;
      c.lost += e.kind == Kind::Lost;
      c.active_id = priv->slot->active ();
      c.active_remote = e.kind == Kind::Lost      ? ""
                        : e.kind == Kind::Dropped ? c.active_remote
                                                  : e.remote;
    }
    if (e.kind == Kind::Lost && priv->recording)
      priv->recording->split_now (); /* the clip ends with the publisher */
    if (e.kind != Kind::Dropped)
      post_event (self, e);
    else
      GST_INFO_OBJECT (self, "session %s (%s) dropped: %s", e.id.c_str (),
                       e.remote.c_str (), e.reason.c_str ());
  }
}

/* Loop thread, every TICK_MS: liveness of the publishers. */
static void
tick (GstResWhipServerSrc *self)
{
  Private *priv = self->priv;
  TimePoint now = system_now ();
  std::vector<srv::PublisherEvent> evs;
  for (auto &[id, s] : priv->sessions) {
    guint64 n = s.pub->rtp_packets ();
    if (n != priv->rtp_seen[id]) {
      priv->rtp_seen[id] = n;
      for (auto &e : priv->slot->on_media (id, now))
        evs.push_back (e);
    }
  }
  for (auto &e : priv->slot->tick (now))
    evs.push_back (e);
  apply_events (self, evs);
  Ref ref (self);
  GstClock *clock = gst_system_clock_obtain ();
  priv->tick_timer = priv->loop.schedule_in (clock, TICK_MS * GST_MSECOND,
                                             [ref] { tick (ref.p); });
  gst_object_unref (clock);
}

static void
end_session (GstResWhipServerSrc *self, const std::string &id,
             const std::string &why)
{
  if (!self->priv->slot)
    return;
  if (!self->priv->slot->has (id)) {
    drop_session (self, id);
    return;
  }
  apply_events (self, self->priv->slot->end (id, why, system_now ()));
}

static void
on_answered (GstResWhipServerSrc *self, const std::string &id,
             const AnswerResult &res)
{
  Private *priv = self->priv;
  auto it = priv->sessions.find (id);
  if (it == priv->sessions.end () || !it->second.pending)
    return;
  SoupServerMessage *msg = std::exchange (it->second.pending, nullptr);
  if (res.status != 0)
    priv->endpoint->refuse (msg, res.status, res.error);
  else
    priv->endpoint->created (msg, id, it->second.pub->etag (), res.answer);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  if (res.status != 0)
    end_session (self, id, res.error);
}

/* Loop thread: a POST passed route(); admit the publisher and answer. */
static void
create_publisher (GstResWhipServerSrc *self, SoupServerMessage *msg,
                  const std::string &offer)
{
  Private *priv = self->priv;
  if (auto refusal = priv->slot->admit ()) {
    priv->endpoint->refuse (msg, *refusal);
    return;
  }
  GstSDPMessage *sdp = nullptr;
  if (gst_sdp_message_new_from_text (offer.c_str (), &sdp) != GST_SDP_OK || !sdp
      || gst_sdp_message_medias_len (sdp) == 0) {
    if (sdp)
      gst_sdp_message_free (sdp);
    priv->endpoint->refuse (msg, 400, "the body is not an SDP offer");
    return;
  }
  std::string id = new_session_id ();
  std::string remote = remote_of (msg);
  Ref ref (self);
  auto pub = std::make_unique<Publisher> (
      id, remote, priv->output, [ref, id] (const std::string &why) {
        ref.p->priv->loop.post (
            [ref, id, why] { end_session (ref.p, id, why); });
      });
  GstClock *clock = gst_system_clock_obtain ();
  std::string error;
  bool ok = pub->start (clock, is_loopback (priv->running.ep.address), error);
  gst_object_unref (clock);
  if (!ok) {
    gst_sdp_message_free (sdp);
    priv->endpoint->refuse (msg, 500, error);
    return;
  }
  GstElement *webrtc = pub->webrtc ();
  Publisher *raw = pub.get ();
  priv->slot->add (id, remote, system_now ());
  priv->sessions[id]
      = Session{ std::move (pub), SOUP_SERVER_MESSAGE (g_object_ref (msg)) };
  soup_server_message_pause (msg);
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->counts.publishers_total++;
  }
  GST_INFO_OBJECT (self, "publisher %s (%s) offered", id.c_str (),
                   remote.c_str ());
  answer_offer (
      priv->loop, webrtc, sdp, GATHER_TIMEOUT_MS,
      [ref, raw] {
        if (!raw->watch_session (RTCP_INTERVAL_MS))
          GST_WARNING_OBJECT (ref.p,
                              "publisher %s: no RTP session to set "
                              "the RTCP interval on",
                              raw->id ().c_str ());
        return true;
      },
      [ref, id] (const AnswerResult &r) { on_answered (ref.p, id, r); });
}

static std::unique_ptr<Endpoint>
make_endpoint (GstResWhipServerSrc *self)
{
  Endpoint::Handlers h;
  h.exists = [self] (const std::string &id) {
    return self->priv->sessions.count (id) != 0;
  };
  h.count = [self] { return (unsigned)self->priv->sessions.size (); };
  h.create = [self] (SoupServerMessage *msg, const std::string &offer) {
    create_publisher (self, msg, offer);
  };
  h.trickle = [self] (SoupServerMessage *msg, const std::string &id,
                      const std::string &if_match, const std::string &body) {
    Publisher *p = self->priv->sessions[id].pub.get ();
    int n = trickle_candidates (msg, p->webrtc (), p->etag (), if_match, body);
    GST_DEBUG_OBJECT (self, "publisher %s: %d trickled candidates", id.c_str (),
                      n);
  };
  h.remove
      = [self] (const std::string &id) { end_session (self, id, "DELETE"); };
  return std::make_unique<Endpoint> (GST_OBJECT (self), std::move (h));
}

/* Loop thread. */
static bool
start_server (GstResWhipServerSrc *self, std::string &error)
{
  Private *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->running = priv->settings;
    priv->counts.active_id.clear ();
    priv->counts.active_remote.clear ();
  }
  const Settings &s = priv->running;
  EndpointConfig c = s.ep;
  c.limits.token = s.stream_key;
  if (const char *env = g_getenv (STREAM_KEY_ENV);
      c.limits.token.empty () && env)
    c.limits.token = env;
  c.limits.max_body = MAX_BODY;
  if (c.limits.token.empty ()) {
    error = "no stream key: set the stream-key property or " STREAM_KEY_ENV;
    return false;
  }
  if (!priv->endpoint->start (c, error))
    return false;
  priv->slot = std::make_unique<srv::PublisherSlot> (
      s.takeover == GST_RES_WHIP_SERVER_TAKEOVER_REFUSE
          ? srv::Takeover::Refuse
          : srv::Takeover::Replace,
      resilient::ms (s.connect_timeout_ms),
      resilient::ms (s.silence_timeout_ms));
  tick (self);
  return true;
}

/* Loop thread: every publisher gone, the server closed. */
static void
stop_server (GstResWhipServerSrc *self)
{
  Private *priv = self->priv;
  priv->loop.cancel_all ();
  priv->tick_timer = 0;
  while (!priv->sessions.empty ())
    drop_session (self, priv->sessions.begin ()->first);
  priv->endpoint->stop ();
  priv->slot.reset ();
}

/* ------------------------------------------------------------------ */
/* GObject / GstElement                                                */

/* The recording (a side job): its failure to start is a WARNING. */
static void
start_recording (GstResWhipServerSrc *self, const RecordingConfig &rc, int fps)
{
  Private *priv = self->priv;
  auto rec = std::make_unique<IngestRecording> ();
  Ref ref (self);
  rec->recording ().set_on_failure (
      [ref] (const std::string &where, const std::string &why) {
        GST_ELEMENT_WARNING (ref.p, RESOURCE, WRITE,
                             ("Recording to %s failed, the stream goes on: %s",
                              where.c_str (), why.c_str ()),
                             (nullptr));
        post_element_message (
            GST_ELEMENT (ref.p),
            gst_structure_new ("reswhipserversrc-recording-failed", "location",
                               G_TYPE_STRING, where.c_str (), "message",
                               G_TYPE_STRING, why.c_str (), NULL));
      });
  std::string error;
  if (!rec->open (GST_BIN (self), priv->output->video (),
                  priv->output->audio (), rc, fps, error)) {
    rec->close ();
    rec->recording ().trip (rc.location, error);
    return;
  }
  priv->recording = std::move (rec);
}

static void
make_output (GstResWhipServerSrc *self)
{
  Private *priv = self->priv;
  OutputFormat f;
  RecordingConfig rc;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    f.width = priv->settings.width;
    f.height = priv->settings.height;
    f.fps = priv->settings.framerate;
    f.hold = resilient::ms (priv->settings.hold_ms);
    rc = priv->settings.recording;
  }
  f.gap = resilient::ms (GAP_MS);
  priv->output
      = std::make_shared<IngestOutput> (GST_BIN (self), GST_ELEMENT (self), f);
  if (!rc.location.empty ())
    start_recording (self, rc, f.fps);
  for (bool video : { true, false }) {
    GstElement *src = video ? priv->output->video () : priv->output->audio ();
    GstPad *pad
        = priv->recording
              ? GST_PAD (gst_object_ref (video ? priv->recording->video_pad ()
                                               : priv->recording->audio_pad ()))
              : gst_element_get_static_pad (src, "src");
    gst_ghost_pad_set_target (
        GST_GHOST_PAD (video ? priv->video_pad : priv->audio_pad), pad);
    gst_object_unref (pad);
  }
}

static void
drop_output (GstResWhipServerSrc *self)
{
  Private *priv = self->priv;
  if (!priv->output)
    return;
  gst_ghost_pad_set_target (GST_GHOST_PAD (priv->video_pad), nullptr);
  gst_ghost_pad_set_target (GST_GHOST_PAD (priv->audio_pad), nullptr);
  if (priv->recording)
    priv->recording->close ();
  priv->recording.reset ();
  for (GstElement *src : { priv->output->video (), priv->output->audio () }) {
    gst_element_set_state (src, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), src);
  }
  priv->output.reset ();
}

/* The recording's messages: an ERROR of it is a WARNING (the stream goes
 * on), a closed clip is announced with its path, duration and size. */
static void
handle_message (GstBin *bin, GstMessage *msg)
{
  auto *self = GST_RES_WHIP_SERVER_SRC (bin);
  IngestRecording *rec = self->priv->recording.get ();
  if (rec && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR
      && resilient::gst::Recording::owns (GST_MESSAGE_SRC (msg))) {
    GError *err = nullptr;
    gst_message_parse_error (msg, &err, nullptr);
    rec->recording ().trip (
        resilient::gst::Recording::file_of (GST_MESSAGE_SRC (msg)),
        err ? err->message : "unknown error");
    g_clear_error (&err);
    gst_message_unref (msg);
    return;
  }
  if (auto clip = rec ? rec->note_message (msg) : std::nullopt)
    post_element_message (
        GST_ELEMENT (self),
        gst_structure_new ("reswhipserversrc-clip-closed", "location",
                           G_TYPE_STRING, clip->location.c_str (), "index",
                           G_TYPE_UINT64, clip->index, "duration-ms",
                           G_TYPE_INT64, clip->duration_ms, "size-bytes",
                           G_TYPE_INT64, clip->size_bytes, NULL));
  GST_BIN_CLASS (parent_class)->handle_message (bin, msg);
}

static GstStateChangeReturn
change_state (GstElement *element, GstStateChange transition)
{
  auto *self = GST_RES_WHIP_SERVER_SRC (element);
  Private *priv = self->priv;
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    make_output (self);
    priv->loop.start ();
    bool ok = false;
    std::string error;
    priv->loop.post_and_wait ([&] { ok = start_server (self, error); });
    if (!ok) {
      priv->loop.stop ();
      drop_output (self);
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
                         ("Cannot serve WHIP: %s.", error.c_str ()), (nullptr));
      return GST_STATE_CHANGE_FAILURE;
    }
  }
  if (transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    priv->output->stop ();
  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING)
    priv->output->start ();
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    priv->loop.post_and_wait ([self] { stop_server (self); });
    priv->loop.stop ();
    drop_output (self);
  }
  return ret;
}

static GstStructure *
statistics (GstResWhipServerSrc *self)
{
  Private *priv = self->priv;
  OutputCounters o;
  if (priv->output)
    o = priv->output->counters ();
  std::lock_guard<std::mutex> g (priv->lock);
  const Counts &c = priv->counts;
  return gst_structure_new (
      "reswhipserversrc-statistics", "publishers-total", G_TYPE_UINT64,
      c.publishers_total, "connected", G_TYPE_UINT64, c.connected, "replaced",
      G_TYPE_UINT64, c.replaced, "lost", G_TYPE_UINT64, c.lost,
      "requests-refused", G_TYPE_UINT64, priv->endpoint->refused (),
      "active-session-id", G_TYPE_STRING, c.active_id.c_str (),
      "active-remote-address", G_TYPE_STRING, c.active_remote.c_str (),
      "output-mode", G_TYPE_STRING, o.mode, "live-frames", G_TYPE_UINT64,
      o.live_frames, "hold-frames", G_TYPE_UINT64, o.hold_frames,
      "filler-frames", G_TYPE_UINT64, o.filler_frames, "live-audio-buffers",
      G_TYPE_UINT64, o.live_audio, "filler-audio-buffers", G_TYPE_UINT64,
      o.filler_audio, "bound-port", G_TYPE_INT, priv->endpoint->port (), NULL);
}

static void
set_property (GObject *object, guint prop_id, const GValue *value,
              GParamSpec *pspec)
{
  auto *self = GST_RES_WHIP_SERVER_SRC (object);
  std::lock_guard<std::mutex> g (self->priv->lock);
  if (!whipsrc::set_property (self->priv->settings, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  auto *self = GST_RES_WHIP_SERVER_SRC (object);
  if (prop_id == PROP_STATISTICS) {
    g_value_take_boxed (value, statistics (self));
    return;
  }
  std::lock_guard<std::mutex> g (self->priv->lock);
  if (!whipsrc::get_property (self->priv->settings, prop_id,
                              self->priv->endpoint->port (), value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
finalize (GObject *object)
{
  auto *self = GST_RES_WHIP_SERVER_SRC (object);
  self->priv->loop.stop ();
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_res_whip_server_src_init (GstResWhipServerSrc *self)
{
  Private *priv = self->priv = new Private ();
  priv->endpoint = make_endpoint (self);
  for (GstStaticPadTemplate *t : { &video_template, &audio_template }) {
    GstPadTemplate *templ = gst_static_pad_template_get (t);
    GstPad *pad
        = gst_ghost_pad_new_no_target_from_template (t->name_template, templ);
    gst_object_unref (templ);
    (t == &video_template ? priv->video_pad : priv->audio_pad) = pad;
  }
  gst_element_add_pad (GST_ELEMENT (self), priv->video_pad);
  gst_element_add_pad (GST_ELEMENT (self), priv->audio_pad);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
}

static void
gst_res_whip_server_src_class_init (GstResWhipServerSrcClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;
  element_class->change_state = change_state;
  GST_BIN_CLASS (klass)->handle_message = handle_message;

  GST_DEBUG_CATEGORY_INIT (res_whip_server_src_debug, "reswhipserversrc", 0,
                           "WHIP ingest whose output survives the publisher");
  whipsrc::install_properties (gobject_class);
  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (
      element_class, "Resilient WHIP ingest source", "Source/Network/WebRTC",
      "Serves a WHIP endpoint with a stream key; decoded video and audio "
      "keep flowing (hold, then black and silence) when the publisher "
      "goes, and a returning publisher takes over",
      "gst-resilient");
}
