/* gst-resilient: reswhepserversink
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-reswhepserversink
 * @title: reswhepserversink
 *
 * A sink bin that serves WHEP (draft-ietf-wish-whep, RFC 9725 conventions)
 * to many viewers from one encode. Raw video and audio are encoded once
 * (H264 or VP8, Opus), payloaded once, and each RTP packet is handed to
 * every viewer's own webrtcbin (one small pipeline per viewer: appsrc ->
 * webrtcbin). A viewer costs no encoder; its payload type is rewritten to
 * the one its offer chose.
 *
 * The HTTP side is a SoupServer (libsoup 3) on the element's ControlLoop
 * thread: POST an offer to `path` -> 201 with the answer (candidates
 * included), Location and ETag; PATCH trickle candidates; DELETE; OPTIONS
 * with CORS for browsers; every refusal is application/problem+json. https
 * when certificate-file and key-file are set.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! reswhepserversink name=s \
 *     port=8889 path=/whep  audiotestsrc is-live=true ! s.
 * ]|
 * Viewers POST their offer to http://HOST:8889/whep.
 *
 * Parts (each owns its state): whepsinksettings.* (properties and their
 * defaults), fanout.* (the one encode and the hand-over of its packets to
 * every viewer's appsrc), viewer.* (one viewer's webrtcbin pipeline, its
 * answer, liveness and callbacks), viewerstats.* (the statistics), with
 * the shared endpoint.* (HTTP) and answerer.* (offer to answer). This
 * file is the GObject shell: pads, state changes, the viewer map, the
 * reaper and the keyframe rate limit.
 *
 * Threads and locks: HTTP, webrtcbin signals that matter, viewer pipeline
 * state changes and timers all run on the element's ControlLoop. The
 * appsink streaming threads only read the fan-out lists (a shared_ptr
 * copied under the fan-out's lock) and push into the viewers' appsrcs
 * after unlocking. Locks: priv->lock (settings), the fan-out's and the
 * statistics' own locks are never held together and are taken before the
 * ControlLoop's own lock (innermost). Nothing calls out while holding
 * any of them.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "server/gstreswhepserversink.h"

#include "server/answerer.h"
#include "server/endpoint.h"
#include "server/fanout.h"
#include "server/sinkinput.h"
#include "server/util.h"
#include "server/viewer.h"
#include "server/viewerstats.h"
#include "server/whepsinksettings.h"

#include "common/controlloop.h"
#include "common/messages.h"
#include "common/selfref.h"
#include "elements.h"
#include "resilient/server/whepserver.h"

#include <gst/sdp/sdp.h>
#include <libsoup/soup.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/* not static: the viewer part logs in it too */
GST_DEBUG_CATEGORY (res_whep_server_sink_debug);
#define GST_CAT_DEFAULT res_whep_server_sink_debug

using resilient::TimePoint;
using resilient::gst::ControlLoop;
using resilient::gst::post_element_message;
using resilient::gst::SelfRef;
namespace srv = resilient::server;
using namespace resilient::gst::server;
using namespace resilient::gst::server::whepsink;

namespace {

struct Private
{
  std::mutex lock;
  Settings settings; /* under lock */

  ControlLoop loop{ "reswhepserversink" };
  FanOut fanout;     /* its own lock */
  ViewerStats stats; /* its own lock */
  /* pads: state-change / request thread */
  GstPad *video_pad = nullptr;
  GstPad *audio_pad = nullptr;

  /* loop thread only */
  std::unique_ptr<Endpoint> endpoint; /* made in init, HTTP on the loop */
  Settings running; /* settings copied when the server started */
  std::map<std::string, std::unique_ptr<Viewer>> viewers;
  std::unique_ptr<srv::KeyframeGate> gate;
  ControlLoop::TimerId keyframe_timer = 0;
  ControlLoop::TimerId reap_timer = 0;
};

} // namespace

struct _GstResWhepServerSink
{
  GstBin parent;
  Private *priv;
};

#define gst_res_whep_server_sink_parent_class parent_class
G_DEFINE_TYPE (GstResWhepServerSink, gst_res_whep_server_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (reswhepserversink, "reswhepserversink",
                             GST_RANK_NONE, GST_TYPE_RES_WHEP_SERVER_SINK);

static GstStaticPadTemplate video_template = GST_STATIC_PAD_TEMPLATE (
    "video", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw; video/x-h264; video/x-vp8"));
static GstStaticPadTemplate audio_template
    = GST_STATIC_PAD_TEMPLATE ("audio", GST_PAD_SINK, GST_PAD_REQUEST,
                               GST_STATIC_CAPS ("audio/x-raw; audio/x-opus"));

using Ref = SelfRef<GstResWhepServerSink>;

static ControlLoop::TimerId
schedule_in_ms (Private *priv, guint delay_ms, ControlLoop::Task task)
{
  GstClock *clock = gst_system_clock_obtain ();
  auto id = priv->loop.schedule_in (clock, delay_ms * GST_MSECOND,
                                    std::move (task));
  gst_object_unref (clock);
  return id;
}

/* ------------------------------------------------------------------ */
/* Encoder chains (state-change / request thread)                      */

static GstPad *
pad_of (Private *priv, bool video)
{
  return video ? priv->video_pad : priv->audio_pad;
}

static bool
build_chain (GstResWhepServerSink *self, bool video, std::string &error)
{
  Private *priv = self->priv;
  Settings s;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    s = priv->settings;
  }
  return priv->fanout.build (GST_BIN (self), pad_of (priv, video), video, s,
                             error);
}

static void
drop_chain (GstResWhepServerSink *self, bool video)
{
  Private *priv = self->priv;
  priv->fanout.drop (GST_BIN (self), pad_of (priv, video), video);
}

/* Loop thread, while the pad's streaming thread waits in its CAPS probe:
 * input of the other kind (raw <-> encoded) gets its own chain. */
static void
rebuild_chain (GstResWhepServerSink *self, bool video, bool encoded)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  Settings s;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    s = priv->settings;
  }
  drop_chain (self, video);
  std::string error;
  if (!priv->fanout.build (GST_BIN (self), pad_of (priv, video), video, s,
                           error, encoded)) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", error.c_str ()),
                       (nullptr));
    return;
  }
  gst_element_sync_state_with_parent (priv->fanout.chain (video));
  GST_INFO_OBJECT (self, "%s input is %s: %s", video ? "video" : "audio",
                   encoded ? "encoded" : "raw",
                   encoded ? "parsed and payloaded as it is" : "encoded once");
}

static resilient::Codec
served_codec (GstResWhepServerSink *self, bool video)
{
  std::lock_guard<std::mutex> g (self->priv->lock);
  return self->priv->settings.served (video);
}

/* The pad takes raw or already encoded input (server/sinkinput.h). */
static void
watch_input (GstResWhepServerSink *self, GstPad *pad, bool video)
{
  SinkInputHooks h;
  h.video = video;
  h.served = [self, video] { return served_codec (self, video); };
  h.encoded = [self, video] { return self->priv->fanout.encoded (video); };
  h.rebuild = [self, video] (bool encoded) {
    self->priv->loop.post_and_wait (
        [self, video, encoded] { rebuild_chain (self, video, encoded); });
  };
  h.refuse = [self] (const std::string &reason) {
    GST_ELEMENT_ERROR (
        self, STREAM, WRONG_TYPE,
        ("reswhepserversink cannot serve this input: %s.", reason.c_str ()),
        (nullptr));
  };
  sink_input_install (pad, std::move (h));
}

/* ------------------------------------------------------------------ */
/* Keyframes (loop thread)                                             */

/* Ask the video encoder for a keyframe now. */
static void
send_keyframe_request (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  priv->keyframe_timer = 0;
  if (priv->gate)
    priv->gate->sent (system_now ());
  if (priv->fanout.force_keyframe ()) {
    priv->stats.keyframe_asked ();
    GST_DEBUG_OBJECT (self, "asked the encoder for a keyframe");
  }
}

/* A viewer needs a keyframe (joined, or sent PLI/FIR). */
static void
request_keyframe (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  if (!priv->gate)
    return;
  TimePoint now = system_now ();
  auto at = priv->gate->request (now);
  if (!at)
    return;
  if (*at <= now) {
    send_keyframe_request (self);
    return;
  }
  Ref ref (self);
  priv->keyframe_timer
      = schedule_in_ms (priv, (guint)resilient::to_ms (*at - now),
                        [ref] { send_keyframe_request (ref.p); });
}

/* ------------------------------------------------------------------ */
/* Viewers (loop thread)                                               */

static void
update_viewer_stats (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  priv->stats.update (priv->viewers, system_now ());
}

/* The fan-out goes to the appsrcs of the viewers there are now. */
static void
publish_outs (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  auto v = std::make_shared<std::vector<FanOut::Out>> ();
  auto a = std::make_shared<std::vector<FanOut::Out>> ();
  for (auto &[id, vw] : priv->viewers)
    vw->add_outs (*v, *a);
  priv->fanout.publish (v, a);
}

static Viewer *
find_viewer (GstResWhepServerSink *self, const std::string &id)
{
  auto it = self->priv->viewers.find (id);
  return it == self->priv->viewers.end () ? nullptr : it->second.get ();
}

/* Removes a viewer: out of the fan-out first, then its pipeline down. */
static void
remove_viewer (GstResWhepServerSink *self, const std::string &id,
               const std::string &reason)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  auto it = priv->viewers.find (id);
  if (it == priv->viewers.end ())
    return;
  std::unique_ptr<Viewer> v = std::move (it->second);
  priv->viewers.erase (it);
  publish_outs (self);
  TimePoint now = system_now ();
  std::string remote = v->remote ();
  bool joined = !v->pending ();
  gint64 duration = resilient::to_ms (now - v->created ());
  v.reset ();
  update_viewer_stats (self);
  GST_INFO_OBJECT (self, "viewer %s (%s) left: %s", id.c_str (),
                   remote.c_str (), reason.c_str ());
  if (joined)
    post_element_message (
        GST_ELEMENT (self),
        gst_structure_new (
            "reswhepserversink-viewer-left", "viewer-id", G_TYPE_STRING,
            id.c_str (), "remote-address", G_TYPE_STRING, remote.c_str (),
            "reason", G_TYPE_STRING, reason.c_str (), "duration-ms",
            G_TYPE_UINT64, (guint64)std::max<gint64> (0, duration), "viewers",
            G_TYPE_UINT, (guint)priv->viewers.size (), NULL));
}

/* What a viewer's callbacks reach of the element; they keep it alive. */
static std::shared_ptr<const Viewer::Hooks>
viewer_hooks (GstResWhepServerSink *self)
{
  auto h = std::make_shared<Viewer::Hooks> ();
  h->owner = GST_OBJECT (self);
  Ref ref (self);
  h->post = [ref] (std::function<void ()> task) {
    ref.p->priv->loop.post (std::move (task));
  };
  h->find = [self] (const std::string &id) { return find_viewer (self, id); };
  h->keyframe = [self] { request_keyframe (self); };
  h->failed = [self] (const std::string &id, const std::string &why) {
    remove_viewer (self, id, why);
  };
  return h;
}

/* The viewer's answer is ready (or it failed). */
static void
on_answered (GstResWhepServerSink *self, const std::string &id,
             const AnswerResult &res)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  Viewer *v = find_viewer (self, id);
  if (!v || !v->pending ())
    return;
  SoupServerMessage *msg = v->take_pending ();
  if (res.status != 0) {
    priv->endpoint->refuse (msg, res.status, res.error);
    soup_server_message_unpause (msg);
    g_object_unref (msg);
    remove_viewer (self, id, res.error);
    return;
  }
  GST_LOG_OBJECT (self, "viewer %s: answer\n%s", id.c_str (),
                  res.answer.c_str ());
  priv->endpoint->created (msg, id, v->etag (), res.answer);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  v->answered ();
  priv->stats.joined ();
  update_viewer_stats (self);
  GST_INFO_OBJECT (self, "viewer %s (%s) joined", id.c_str (),
                   v->remote ().c_str ());
  post_element_message (
      GST_ELEMENT (self),
      gst_structure_new ("reswhepserversink-viewer-joined", "viewer-id",
                         G_TYPE_STRING, id.c_str (), "remote-address",
                         G_TYPE_STRING, v->remote ().c_str (), "viewers",
                         G_TYPE_UINT, (guint)priv->viewers.size (), NULL));
}

/* The formats of an offer this endpoint can serve, or a refusal sent. */
static std::optional<srv::Formats>
offer_formats (GstResWhepServerSink *self, SoupServerMessage *msg,
               const std::string &offer)
{
  Private *priv = self->priv;
  int status = 0;
  std::string error;
  auto formats = srv::choose_formats (
      offer,
      priv->running.vp8 () ? srv::VideoCodec::VP8 : srv::VideoCodec::H264,
      priv->fanout.chain (false) != nullptr, status, error);
  if (formats && !priv->fanout.chain (true))
    formats->video_pt = -1;
  if (formats && formats->video_pt < 0 && formats->audio_pt < 0) {
    formats.reset ();
    status = 422;
    error = "the offer accepts none of the media this endpoint sends";
  }
  if (!formats)
    priv->endpoint->refuse (msg, status, error);
  return formats;
}

/* The viewer's pipeline, on the element's clock and base time. */
static bool
start_viewer (GstResWhepServerSink *self, Viewer &v)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  bool ok = v.start (clock, gst_element_get_base_time (GST_ELEMENT (self)),
                     is_loopback (self->priv->running.ep.address));
  if (clock)
    gst_object_unref (clock);
  return ok;
}

/* Once the offer is applied: the viewer's sources, then it joins the
 * fan-out. */
static bool
attach_sources (GstResWhepServerSink *self, const std::string &id)
{
  Private *priv = self->priv;
  Viewer *v = find_viewer (self, id);
  if (!v || !v->attach_sources (priv->fanout, priv->running.vp8 (),
                                 priv->running.direct_send))
    return false;
  publish_outs (self);
  /* the keyframe now, not when the viewer is connected: it waits in the
   * viewer's queue while webrtcbin holds the packets for DTLS, and goes
   * out first when DTLS is up (no encoder round trip after connecting) */
  if (v->has_video ())
    request_keyframe (self);
  return true;
}

/* A POST passed route(); make the viewer and answer it. */
static void
create_viewer (GstResWhepServerSink *self, SoupServerMessage *msg,
               const std::string &offer)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  const Settings &s = priv->running;
  auto formats = offer_formats (self, msg, offer);
  if (!formats)
    return;
  GstSDPMessage *sdp = nullptr;
  if (gst_sdp_message_new_from_text (offer.c_str (), &sdp) != GST_SDP_OK
      || !sdp) {
    if (sdp)
      gst_sdp_message_free (sdp);
    priv->endpoint->refuse (msg, 400, "the body is not an SDP offer");
    return;
  }
  std::string id = new_session_id ();
  auto v = std::make_unique<Viewer> (
      id, remote_of (msg), *formats, system_now (),
      Viewer::Limits{ resilient::ms (s.connect_timeout_ms),
                      resilient::ms (s.rtcp_timeout_ms) },
      viewer_hooks (self));
  if (!v->find_mlines (sdp, *formats)) {
    gst_sdp_message_free (sdp);
    priv->endpoint->refuse (msg, 400,
                            "every m-section of the offer needs an a=mid");
    return;
  }
  if (!start_viewer (self, *v)) {
    gst_sdp_message_free (sdp);
    v.reset ();
    priv->endpoint->refuse (msg, 500, "the viewer's webrtcbin did not start");
    return;
  }
  v->hold (msg);
  GstElement *webrtc = v->webrtc ();
  priv->viewers[id] = std::move (v);
  publish_outs (self);
  update_viewer_stats (self);
  Ref ref (self);
  answer_offer (
      priv->loop, webrtc, sdp, GATHER_TIMEOUT_MS,
      [ref, id] { return attach_sources (ref.p, id); },
      [ref, id] (const AnswerResult &r) { on_answered (ref.p, id, r); });
}

/* The reaper: every viewer's liveness, every REAP_PERIOD_MS. */
static void
reap (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  priv->reap_timer = 0;
  TimePoint now = system_now ();
  std::vector<std::pair<std::string, std::string>> dead;
  for (auto &[id, v] : priv->viewers)
    if (auto why = v->check (now))
      dead.emplace_back (id, *why);
  for (auto &[id, why] : dead)
    remove_viewer (self, id, why);
  update_viewer_stats (self);
  Ref ref (self);
  priv->reap_timer
      = schedule_in_ms (priv, REAP_PERIOD_MS, [ref] { reap (ref.p); });
}

/* ------------------------------------------------------------------ */
/* Server (loop thread)                                                */

static bool
start_server (GstResWhepServerSink *self, std::string &error)
{
  Private *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->running = priv->settings;
  }
  const Settings &s = priv->running;
  EndpointConfig c = s.ep;
  c.limits.token = s.token;
  c.limits.max_body = DEFAULT_MAX_BODY;
  c.limits.max_viewers = s.max_viewers;
  c.limits.retry_after = resilient::ms (s.retry_after_ms);
  if (!priv->endpoint->start (c, error))
    return false;
  priv->gate = std::make_unique<srv::KeyframeGate> (
      resilient::ms (s.keyframe_min_interval_ms));
  Ref ref (self);
  priv->reap_timer
      = schedule_in_ms (priv, REAP_PERIOD_MS, [ref] { reap (ref.p); });
  return true;
}

/* Every viewer gone, the server closed. */
static void
stop_server (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  priv->loop.cancel_all ();
  priv->reap_timer = 0;
  priv->keyframe_timer = 0;
  std::vector<std::string> ids;
  for (auto &[id, v] : priv->viewers)
    ids.push_back (id);
  for (auto &id : ids)
    remove_viewer (self, id, "stopped");
  priv->endpoint->stop ();
  priv->gate.reset ();
}

/* The HTTP side's handlers (loop thread); the endpoint is the element's. */
static std::unique_ptr<Endpoint>
make_endpoint (GstResWhepServerSink *self)
{
  Endpoint::Handlers h;
  h.exists = [self] (const std::string &id) {
    return find_viewer (self, id) != nullptr;
  };
  h.count = [self] { return (unsigned)self->priv->viewers.size (); };
  h.create = [self] (SoupServerMessage *msg, const std::string &offer) {
    create_viewer (self, msg, offer);
  };
  h.trickle = [self] (SoupServerMessage *msg, const std::string &id,
                      const std::string &if_match, const std::string &body) {
    Viewer *v = find_viewer (self, id);
    int n = trickle_candidates (msg, v->webrtc (), v->etag (), if_match, body);
    GST_DEBUG_OBJECT (self, "viewer %s: %d trickled candidates", id.c_str (),
                      n);
  };
  h.remove
      = [self] (const std::string &id) { remove_viewer (self, id, "DELETE"); };
  return std::make_unique<Endpoint> (GST_OBJECT (self), std::move (h));
}

/* ------------------------------------------------------------------ */
/* GObject / GstElement                                                */

static GstPad *
request_new_pad (GstElement *element, GstPadTemplate *templ, const gchar *,
                 const GstCaps *)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (element);
  Private *priv = self->priv;
  bool video = g_str_equal (GST_PAD_TEMPLATE_NAME_TEMPLATE (templ), "video");
  GstPad **slot = video ? &priv->video_pad : &priv->audio_pad;
  if (*slot) {
    GST_WARNING_OBJECT (self, "only one %s pad", video ? "video" : "audio");
    return nullptr;
  }
  GstPad *pad = gst_ghost_pad_new_no_target_from_template (
      video ? "video" : "audio", templ);
  *slot = pad;
  watch_input (self, pad, video);
  gst_pad_set_active (pad, TRUE);
  gst_element_add_pad (element, pad);
  if (GST_STATE (element) >= GST_STATE_READY) {
    std::string error;
    if (!build_chain (self, video, error)) {
      GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", error.c_str ()),
                         (nullptr));
    } else {
      gst_element_sync_state_with_parent (priv->fanout.chain (video));
    }
  }
  return pad;
}

static void
release_pad (GstElement *element, GstPad *pad)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (element);
  Private *priv = self->priv;
  bool video = pad == priv->video_pad;
  if (!video && pad != priv->audio_pad)
    return;
  drop_chain (self, video);
  (video ? priv->video_pad : priv->audio_pad) = nullptr;
  gst_element_remove_pad (element, pad);
}

/* NULL -> READY: the encoder chains, the loop and the server. */
static bool
start (GstResWhepServerSink *self)
{
  Private *priv = self->priv;
  if (!priv->video_pad && !priv->audio_pad) {
    GST_ELEMENT_ERROR (
        self, CORE, NEGOTIATION,
        ("Nothing to serve: link a video and/or an audio stream to "
         "reswhepserversink."),
        (nullptr));
    return false;
  }
  std::string error;
  for (bool video : { true, false })
    if (pad_of (priv, video) && !priv->fanout.chain (video)
        && !build_chain (self, video, error)) {
      GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", error.c_str ()),
                         (nullptr));
      drop_chain (self, true);
      drop_chain (self, false);
      return false;
    }
  priv->loop.start ();
  bool ok = false;
  priv->loop.post_and_wait ([&] { ok = start_server (self, error); });
  if (!ok) {
    priv->loop.stop ();
    drop_chain (self, true);
    drop_chain (self, false);
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
                       ("Cannot serve WHEP: %s.", error.c_str ()), (nullptr));
    return false;
  }
  return true;
}

static GstStateChangeReturn
change_state (GstElement *element, GstStateChange transition)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (element);
  Private *priv = self->priv;
  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !start (self))
    return GST_STATE_CHANGE_FAILURE;
  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    priv->loop.post_and_wait ([self] { stop_server (self); });
    priv->loop.stop ();
    drop_chain (self, true);
    drop_chain (self, false);
    priv->fanout.forget_caps ();
  }
  return ret;
}

static void
set_property (GObject *object, guint prop_id, const GValue *value,
              GParamSpec *pspec)
{
  Private *priv = GST_RES_WHEP_SERVER_SINK (object)->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  if (!whepsink::set_property (priv->settings, prop_id, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  Private *priv = GST_RES_WHEP_SERVER_SINK (object)->priv;
  if (prop_id == PROP_STATISTICS) {
    g_value_take_boxed (value,
                        priv->stats.structure (priv->endpoint->refused (),
                                               priv->endpoint->port ()));
    return;
  }
  std::lock_guard<std::mutex> g (priv->lock);
  if (!whepsink::get_property (priv->settings, prop_id, priv->endpoint->port (),
                               value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
finalize (GObject *object)
{
  auto *self = GST_RES_WHEP_SERVER_SINK (object);
  self->priv->loop.stop ();
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_res_whep_server_sink_init (GstResWhepServerSink *self)
{
  self->priv = new Private ();
  self->priv->endpoint = make_endpoint (self);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
}

static void
gst_res_whep_server_sink_class_init (GstResWhepServerSinkClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  gobject_class->set_property = set_property;
  gobject_class->get_property = get_property;
  gobject_class->finalize = finalize;
  element_class->change_state = change_state;
  element_class->request_new_pad = request_new_pad;
  element_class->release_pad = release_pad;

  GST_DEBUG_CATEGORY_INIT (res_whep_server_sink_debug, "reswhepserversink", 0,
                           "WHEP server for many viewers from one encode");

  whepsink::install_properties (gobject_class);

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_set_static_metadata (
      element_class, "WHEP server sink", "Sink/Network/WebRTC",
      "Serves WHEP to many viewers from one encode (one webrtcbin per "
      "viewer, no encoder per viewer)",
      "gst-resilient");
  gst_type_mark_as_plugin_api (whepsink::video_codec_get_type (),
                               (GstPluginAPIFlags)0);
}
