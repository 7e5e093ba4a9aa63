#include "common/whiptransport.h"

#include "common/binsearch.h"
#include "common/codecs.h"
#include "common/rtcpcount.h"
#include "common/whipclient.h"
#include "common/whipwatchdog.h"
#include "resilient/whip/feedbackwatch.h"
#include "resilient/whip/rrwatch.h"

#include <gst/webrtc/webrtc.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>

using resilient::restore::FailureKind;

namespace resilient::gst {

static std::string
lower (std::string s)
{
  std::transform (s.begin (), s.end (), s.begin (),
                  [] (unsigned char c) { return std::tolower (c); });
  return s;
}

std::string
whip_refused_codec (const std::string &text)
{
  std::string t = lower (text);
  if (t.find ("h264") != std::string::npos
      || t.find ("h.264") != std::string::npos
      || t.find ("avc") != std::string::npos)
    return "h264";
  if (t.find ("vp8") != std::string::npos)
    return "vp8";
  return {};
}

/* The short codec name of an appsrc's caps ("h264"), empty if unknown. */
static std::string
codec_of (GstElement *appsrc)
{
  const CodecInfo *c = codec_of_appsrc (appsrc);
  return c ? c->name : std::string ();
}

/* What the last get-stats said; shared with the promise callback, which
 * may run after the transport is gone. */
struct WhipStats
{
  std::mutex lock;
  bool pending = false;
  std::uint64_t bytes_sent = 0;
  std::uint64_t packets_sent = 0;
  std::uint64_t rr_progress = 0;
  bool rr_valid = false;
  double rtt_ms = -1.0;
};

static void
read_stats (const GstStructure *reply, WhipStats &out)
{
  std::uint64_t bytes = 0, packets = 0, progress = 0;
  bool rr = false;
  double rtt = -1.0;
  gint n = gst_structure_n_fields (reply);
  for (gint i = 0; i < n; i++) {
    const GValue *v = gst_structure_get_value (
        reply, gst_structure_nth_field_name (reply, i));
    if (!GST_VALUE_HOLDS_STRUCTURE (v))
      continue;
    const GstStructure *s = gst_value_get_structure (v);
    GstWebRTCStatsType type;
    if (!gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
      continue;
    if (type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
      guint64 b = 0, p = 0;
      gst_structure_get_uint64 (s, "bytes-sent", &b);
      gst_structure_get_uint64 (s, "packets-sent", &p);
      bytes += b;
      packets += p;
    } else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
      guint seq = 0;
      if (WhipMediaWatchdog::acked_seq (s, seq)) {
        progress += seq;
        rr = true;
      }
      gdouble r = -1;
      if (gst_structure_get_double (s, "round-trip-time", &r) && r >= 0)
        rtt = std::max (rtt, r * 1000.0);
    }
  }
  std::lock_guard<std::mutex> g (out.lock);
  out.pending = false;
  out.bytes_sent = std::max (out.bytes_sent, bytes);
  out.packets_sent = std::max (out.packets_sent, packets);
  if (rr) {
    out.rr_progress = progress;
    out.rr_valid = true;
  }
  if (rtt >= 0)
    out.rtt_ms = rtt;
}

struct PromiseCtx
{
  std::shared_ptr<WhipStats> stats;
};

static void
on_stats (GstPromise *promise, gpointer user_data)
{
  auto *ctx = static_cast<PromiseCtx *> (user_data);
  const GstStructure *reply = nullptr;
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply) {
    read_stats (reply, *ctx->stats);
  } else {
    std::lock_guard<std::mutex> g (ctx->stats->lock);
    ctx->stats->pending = false;
  }
}

static void
free_ctx (gpointer p)
{
  delete static_cast<PromiseCtx *> (p);
}

/* The webrtcbin inside `bin` (reswhipsink builds it at session start). */
static GstElement *
find_webrtcbin (GstElement *bin)
{
  return resilient::gst::find_by_factory (GST_BIN (bin), "webrtcbin");
}

/* Whether the video m-line of `answer` carries `codec` (an rtpmap of that
 * encoding name); true when there is no video m-line to judge. */
static bool
answer_carries (const GstSDPMessage *answer, const std::string &codec)
{
  std::string want = lower (codec);
  for (guint i = 0; i < gst_sdp_message_medias_len (answer); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (answer, i);
    if (g_strcmp0 (gst_sdp_media_get_media (m), "video") != 0)
      continue;
    if (gst_sdp_media_get_port (m) == 0
        && !gst_sdp_media_get_attribute_val (m, "bundle-only"))
      return false;
    for (guint j = 0; j < gst_sdp_media_attributes_len (m); j++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, j);
      if (g_strcmp0 (a->key, "rtpmap") != 0 || !a->value)
        continue;
      /* "<pt> <name>/<clock>" */
      const char *sp = strchr (a->value, ' ');
      if (!sp)
        continue;
      std::string name = lower (sp + 1);
      name = name.substr (0, name.find ('/'));
      if (name == want)
        return true;
    }
    return false;
  }
  return true;
}

/* Session buffers carry the upstream running time. A session pipeline on
 * the owner's clock and base time (start time NONE, as autorestoresink
 * sets it) has that running time already: no offset. Otherwise its
 * running time starts at zero while webrtcbin's network sink syncs on the
 * clock, so a session started seconds into the stream would hold every
 * buffer back by that much; then the first buffer (of either stream) maps
 * to "now" in the session, both pads getting the same offset. That
 * fallback sends the live edge late by the age of whatever was pushed
 * first (a held group of pictures), which reswhipsink's 1 s input queue
 * cannot absorb: owners replaying held media must share their clock. */
struct OffsetCtx
{
  std::mutex lock;
  bool set = false;
  gint64 offset = 0;
};

static GstPadProbeReturn
offset_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *ctx = static_cast<std::shared_ptr<OffsetCtx> *> (user_data)->get ();
  GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER (info);
  if (!b || !GST_BUFFER_PTS_IS_VALID (b))
    return GST_PAD_PROBE_OK;
  gint64 offset;
  {
    std::lock_guard<std::mutex> g (ctx->lock);
    if (!ctx->set) {
      GstElement *parent = GST_ELEMENT (gst_pad_get_parent (pad));
      GstClockTime now_rt = 0;
      if (parent) {
        GstClock *clock = gst_element_get_clock (parent);
        if (clock) {
          GstClockTime now = gst_clock_get_time (clock);
          GstClockTime base = gst_element_get_base_time (parent);
          if (now > base)
            now_rt = now - base;
          gst_object_unref (clock);
        }
        gst_object_unref (parent);
      }
      ctx->offset = (gint64)now_rt - (gint64)GST_BUFFER_PTS (b);
      ctx->set = true;
    }
    offset = ctx->offset;
  }
  gst_pad_set_offset (pad, offset);
  return GST_PAD_PROBE_REMOVE;
}

static void
free_offset_ctx (gpointer p)
{
  delete static_cast<std::shared_ptr<OffsetCtx> *> (p);
}

class WhipTransport : public PublishTransport
{
public:
  explicit WhipTransport (const std::string &uri) : PublishTransport (uri)
  {
    /* whip://TOKEN@host/path: the userinfo is the bearer token. */
    endpoint_ = uri;
    auto start = uri.find ("://");
    if (start != std::string::npos) {
      auto path = uri.find_first_of ("/?#", start + 3);
      auto at = uri.rfind ('@', path == std::string::npos ? uri.size () : path);
      if (at != std::string::npos && at > start + 3) {
        gchar *tok = g_uri_unescape_segment (uri.c_str () + start + 3,
                                             uri.c_str () + at, nullptr);
        if (tok)
          token_ = tok;
        g_free (tok);
        endpoint_ = uri.substr (0, start + 3) + uri.substr (at + 1);
      }
    }
  }

  ~WhipTransport () override
  {
    if (session_) {
      if (rtcp_handler_)
        g_signal_handler_disconnect (session_, rtcp_handler_);
      g_object_unref (session_);
    }
    if (webrtc_)
      gst_object_unref (webrtc_);
  }

  const char *protocol () const override { return "whip"; }

  /* reswhipsink DELETEs the session when it stops (up to its
   * delete-timeout, 2000 ms, against a stalled server). */
  bool slow_teardown () const override { return true; }

  bool accepts_codec (const std::string &codec) const override
  {
    return codec == "h264" || codec == "vp8" || codec == "opus";
  }

  bool build (GstBin *bin, GstElement *video_src, GstElement *audio_src,
              std::string &error) override
  {
    sink_ = gst_element_factory_make ("reswhipsink", nullptr);
    if (!sink_) {
      error = "element 'reswhipsink' is missing: the gst-resilient plugin "
              "was built without WHIP support";
      return false;
    }
    /* Liveness is judged here, with the owner's ping settings
     * (set_liveness): reswhipsink's own receiver-report watchdog
     * (media-timeout, a fixed 10 s) would override them. */
    g_object_set (sink_, "uri", endpoint_.c_str (), "error-on-failure", TRUE,
                  "media-timeout", 0u, nullptr);
    if (!token_.empty ())
      g_object_set (sink_, "token", token_.c_str (), nullptr);
    gst_bin_add (bin, sink_);
    video_codec_ = codec_of (video_src);
    struct In
    {
      GstElement *src;
      const char *pad;
    };
    for (In in : { In{ video_src, "video_%u" }, In{ audio_src, "audio_%u" } }) {
      if (!in.src)
        continue;
      GstPad *sinkpad = gst_element_request_pad_simple (sink_, in.pad);
      GstPad *srcpad = gst_element_get_static_pad (in.src, "src");
      if (srcpad && GST_ELEMENT_START_TIME (bin) != GST_CLOCK_TIME_NONE)
        gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_BUFFER, offset_probe,
                           new std::shared_ptr<OffsetCtx> (offset_),
                           free_offset_ctx);
      bool ok = sinkpad && srcpad
                && GST_PAD_LINK_SUCCESSFUL (gst_pad_link (srcpad, sinkpad));
      if (srcpad)
        gst_object_unref (srcpad);
      if (sinkpad)
        gst_object_unref (sinkpad);
      if (!ok) {
        error = std::string ("reswhipsink refused the ") + codec_of (in.src)
                + " stream";
        return false;
      }
    }
    return true;
  }

  TransportHealth poll () override
  {
    TransportHealth h;
    if (!sink_)
      return h;
    gint status = 0;
    g_object_get (sink_, "status", &status, nullptr);
    if (!webrtc_ && status >= (gint)WebrtcStatus::Connecting)
      webrtc_ = find_webrtcbin (sink_);
    if (webrtc_ && !session_ && status >= (gint)WebrtcStatus::Connecting)
      watch_rtcp ();
    if (webrtc_ && !codec_checked_ && status >= (gint)WebrtcStatus::Connecting
        && status <= (gint)WebrtcStatus::Connected)
      check_answer_codec ();
    if (webrtc_ && status == (gint)WebrtcStatus::Connected) {
      bool ask = false;
      {
        std::lock_guard<std::mutex> g (stats_->lock);
        ask = !stats_->pending;
        stats_->pending = true;
      }
      if (ask) {
        GstPromise *p = gst_promise_new_with_change_func (
            on_stats, new PromiseCtx{ stats_ }, free_ctx);
        g_signal_emit_by_name (webrtc_, "get-stats", nullptr, p);
        gst_promise_unref (p);
      }
    }
    std::lock_guard<std::mutex> g (stats_->lock);
    h.bytes_out = stats_->bytes_sent;
    h.up = status == (gint)WebrtcStatus::Connected && stats_->packets_sent > 0;
    const gint64 now = g_get_monotonic_time ();
    std::optional<std::uint64_t> progress;
    if (stats_->rr_valid)
      progress = stats_->rr_progress;
    const resilient::TimePoint t = resilient::ms (now / 1000);
    const bool dead = rr_watch_.sample (t, progress, stats_->packets_sent);
    /* The fast watch: any RTCP from the server, transport-cc feedback
     * several times a second (feedbackwatch.h). */
    const bool fb_dead
        = rr_watch_.enabled ()
          && fb_watch_.sample (t, rtcp_in_->load (), stats_->packets_sent);
    if (auto last = fb_watch_.last_arrival ())
      h.ack_age_ms = resilient::to_ms (t - *last);
    if ((dead || fb_dead) && !silence_posted_
        && status == (gint)WebrtcStatus::Connected) {
      /* The server reported RTP received and then fell silent while RTP
       * keeps leaving: it (or the path) is gone. libnice 0.1.21 has no
       * consent freshness, so nothing else notices. */
      silence_posted_ = true;
      std::string what
          = fb_dead
                ? "sent no RTCP (transport-cc feedback, receiver "
                  "reports) for "
                      + std::to_string (
                          resilient::to_ms (fb_watch_.silence (t)))
                      + " ms, "
                      + std::to_string (resilient::to_ms (fb_watch_.allowed ()))
                      + " ms allowed at its feedback cadence"
                : "stopped acknowledging RTP for "
                      + std::to_string (
                          resilient::to_ms (rr_watch_.silence (t)))
                      + " ms (" + std::to_string (rr_watch_.missing (t))
                      + " pings missing, no RTCP receiver report "
                        "acknowledging new packets)";
      post_error (GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
                  "the WHIP server " + what + ": it or the path is gone",
                  gst_structure_new_empty ("whiptransport-silence"));
    }
    h.pings = rr_watch_.pings ();
    /* Receiver reports come at the server's RTCP interval (about 1 s for
     * browsers and SFUs, 2.5 to 7.5 s for plain RTP stacks): rr_watch_
     * judges them with the owner's ping settings (set_liveness), not the
     * generic ping watch. */
    h.owed = false;
    h.rtt_ms = stats_->rtt_ms;
    return h;
  }

  void set_liveness (std::uint32_t period_ms,
                     std::uint32_t max_missing) override
  {
    rr_watch_ = resilient::whip::ReceiverReportWatch (resilient::ms (period_ms),
                                                      (int)max_missing);
  }

  /* reswhipsink's session failure (its error details): fatal refusals
   * (a refused video codec named), nobody answering, 4xx on the POST,
   * else the server lost; any HTTP answer proves the server reachable. */
  void classify_session_failure (const GstStructure *d,
                                 TransportFailure &f) const
  {
    gboolean fatal = FALSE;
    gint status = 0;
    gint64 retry_after = -1;
    gst_structure_get_boolean (d, "fatal", &fatal);
    gst_structure_get_int (d, "http-status", &status);
    gst_structure_get_int64 (d, "retry-after-ms", &retry_after);
    std::string stage = gst_structure_get_string (d, "stage")
                            ? gst_structure_get_string (d, "stage")
                            : "";
    std::string text;
    for (const char *k : { "reason", "problem-title", "problem-detail" })
      if (const char *v = gst_structure_get_string (d, k))
        text += std::string (v) + " ";
    f.retry_after_ms = retry_after;
    if (fatal) {
      /* 401/403, 4xx offer refusals, unusable answers: retrying cannot
       * fix them, except a refused video codec, which another encoder
       * may fix. */
      f.kind = FailureKind::Refused;
      std::string codec = whip_refused_codec (text);
      bool codec_refusal
          = !video_codec_.empty () && status != 401 && status != 403
            && (codec == video_codec_
                || (stage == "answer"
                    && (lower (text).find ("video") != std::string::npos
                        || lower (text).find ("codec") != std::string::npos
                        || lower (text).find ("payload")
                               != std::string::npos)));
      if (codec_refusal)
        f.rejected_codec = video_codec_;
    } else if (status == 0
               && (stage == "post" || stage == "options" || stage.empty ())) {
      /* Nobody answered the HTTP request. */
      f.kind = FailureKind::ConnectFailed;
    } else if (status != 0 && status < 500 && stage == "post") {
      f.kind = FailureKind::ConnectFailed;
    } else {
      /* 5xx, or the media path died (ICE, DTLS, no RTCP progress). */
      f.kind = FailureKind::ServerLost;
      f.accepted = stage != "post" && stage != "options";
    }
    /* An HTTP answer (503, 429, ...) proves the server reachable: it is
     * retried on the restore schedule, not when a TCP probe connects. */
    if (status != 0)
      f.accepted = true;
  }

  TransportFailure classify (GstMessage *msg) override
  {
    TransportFailure f;
    GError *err = nullptr;
    gchar *dbg = nullptr;
    gst_message_parse_error (msg, &err, &dbg);
    const GstStructure *d = nullptr;
    gst_message_parse_error_details (msg, &d);
    f.reason = err && err->message ? err->message : "WHIP publishing failed";
    if (d && gst_structure_has_name (d, "whiptransport-codec")) {
      f.kind = FailureKind::Refused;
      f.accepted = true;
      const char *c = gst_structure_get_string (d, "codec");
      f.rejected_codec = c ? c : "";
    } else if (d && gst_structure_has_name (d, "whiptransport-silence")) {
      /* The receiver reports are WHIP's pings. */
      f.kind = FailureKind::PingsMissing;
      f.accepted = true;
    } else if (d && gst_structure_has_field (d, "reswhipsink-failure")) {
      classify_session_failure (d, f);
    } else if (err && err->domain == GST_RESOURCE_ERROR
               && err->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED) {
      f.kind = FailureKind::Refused;
    } else if (err
               && (err->domain == GST_CORE_ERROR
                   || (err->domain == GST_RESOURCE_ERROR
                       && err->code == GST_RESOURCE_ERROR_SETTINGS)
                   || (err->domain == GST_STREAM_ERROR
                       && (err->code == GST_STREAM_ERROR_FORMAT
                           || err->code
                                  == GST_STREAM_ERROR_CODEC_NOT_FOUND)))) {
      f.kind = FailureKind::LocalError;
    } else {
      f.kind = FailureKind::ServerLost;
    }
    if (err)
      g_error_free (err);
    g_free (dbg);
    return f;
  }

  std::optional<std::pair<std::string, int>> tcp_probe_address () const override
  {
    auto start = endpoint_.find ("://");
    if (start == std::string::npos)
      return std::nullopt;
    std::string scheme = lower (endpoint_.substr (0, start));
    int port = (scheme == "whips" || scheme == "https") ? 443 : 80;
    std::string hp = endpoint_.substr (start + 3);
    hp = hp.substr (0, hp.find_first_of ("/?#"));
    std::string host = hp;
    if (!hp.empty () && hp[0] == '[') {
      auto close = hp.find (']');
      if (close == std::string::npos)
        return std::nullopt;
      host = hp.substr (1, close - 1);
      if (close + 1 < hp.size () && hp[close + 1] == ':')
        port = std::atoi (hp.c_str () + close + 2);
    } else if (auto colon = hp.rfind (':'); colon != std::string::npos) {
      port = std::atoi (hp.c_str () + colon + 1);
      host = hp.substr (0, colon);
    }
    if (host.empty () || port <= 0)
      return std::nullopt;
    return std::make_pair (host, port);
  }

private:
  /* Counts the RTCP packets webrtcbin's RTP session receives. */
  void watch_rtcp ()
  {
    GstElement *rtpbin = gst_bin_get_by_name (GST_BIN (webrtc_), "rtpbin");
    if (!rtpbin)
      return;
    GObject *session = nullptr;
    g_signal_emit_by_name (rtpbin, "get-internal-session", 0u, &session);
    gst_object_unref (rtpbin);
    if (!session)
      return;
    session_ = session;
    /* RTCP packets received from the server (any: transport-cc
     * feedback, receiver reports, NACK, PLI) */
    rtcp_handler_ = count_received_rtcp (session, rtcp_in_);
  }

  /* A server that answers without the video codec we send (no rtpmap for
   * it, or the video m-line rejected) cannot decode it: report it as a
   * codec refusal on the session's bus. */
  void check_answer_codec ()
  {
    GstWebRTCSessionDescription *remote = nullptr;
    g_object_get (webrtc_, "current-remote-description", &remote, nullptr);
    if (!remote)
      g_object_get (webrtc_, "pending-remote-description", &remote, nullptr);
    if (!remote)
      return;
    codec_checked_ = true;
    bool ok = video_codec_.empty () || !remote->sdp
              || answer_carries (remote->sdp, video_codec_);
    gst_webrtc_session_description_free (remote);
    if (ok)
      return;
    std::string text = std::string ("the WHIP server answered without ")
                       + codec_by_name (video_codec_)->encoding_name
                       + ": it does not take this video codec";
    post_error (GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND, text,
                gst_structure_new ("whiptransport-codec", "codec",
                                   G_TYPE_STRING, video_codec_.c_str (),
                                   nullptr));
  }

  /* An ERROR on the session's bus, as if reswhipsink had posted it. */
  void post_error (GQuark domain, gint code, const std::string &text,
                   GstStructure *details)
  {
    GError *e = g_error_new_literal (domain, code, text.c_str ());
    gst_element_post_message (
        sink_, gst_message_new_error_with_details (
                   GST_OBJECT (sink_), e, display_uri_.c_str (), details));
    g_error_free (e);
  }

  std::string endpoint_;
  std::string token_;
  std::string video_codec_;
  GstElement *sink_ = nullptr;   /* owned by the session's pipeline */
  GstElement *webrtc_ = nullptr; /* ref held */
  std::shared_ptr<WhipStats> stats_ = std::make_shared<WhipStats> ();
  std::shared_ptr<OffsetCtx> offset_ = std::make_shared<OffsetCtx> ();
  bool codec_checked_ = false;
  /* Receiver-report liveness: the owner's missing-pings over
   * ping-check-period (seed: 10 over 5000 ms). */
  resilient::whip::ReceiverReportWatch rr_watch_;
  resilient::whip::FeedbackWatch fb_watch_;
  RtcpCounter rtcp_in_ = std::make_shared<std::atomic<std::uint64_t>> (0);
  GObject *session_ = nullptr; /* webrtcbin's RTPSession 0, a ref */
  gulong rtcp_handler_ = 0;
  bool silence_posted_ = false;
};

std::unique_ptr<PublishTransport>
make_whip_transport (const std::string &uri)
{
  return std::make_unique<WhipTransport> (uri);
}

} // namespace resilient::gst
