#include "resilient/server/whepserver.h"

#include "resilient/cluster/json.h"
#include "resilient/whip/http.h"
#include "resilient/whip/sdp.h"

#include <algorithm>
#include "resilient/core/secret.h"

#include <cctype>
#include <cstdio>

namespace resilient::server {

std::string
problem_json (int status, std::string_view title, std::string_view detail)
{
  return "{\"type\":\"about:blank\",\"status\":" + std::to_string (status)
         + ",\"title\":" + resilient::cluster::json_quote (title)
         + ",\"detail\":" + resilient::cluster::json_quote (detail) + "}";
}

std::string
session_id_of (const std::string &endpoint, const std::string &path)
{
  std::string base = endpoint;
  while (!base.empty () && base.back () == '/')
    base.pop_back ();
  base += '/';
  if (path.size () <= base.size () || path.compare (0, base.size (), base) != 0)
    return {};
  std::string id = path.substr (base.size ());
  for (char c : id)
    if (!std::isalnum (static_cast<unsigned char> (c)))
      return {};
  return id;
}

static Route
refuse (int status, std::string title, std::string detail)
{
  Route r;
  r.action = Action::Refuse;
  r.status = status;
  r.title = std::move (title);
  r.detail = std::move (detail);
  return r;
}

static bool
same_path (const std::string &a, const std::string &b)
{
  std::string x = a, y = b;
  while (x.size () > 1 && x.back () == '/')
    x.pop_back ();
  while (y.size () > 1 && y.back () == '/')
    y.pop_back ();
  return x == y;
}

Route
route (const Limits &lim, const RequestHead &h, bool session_exists,
       unsigned viewers)
{
  bool endpoint = same_path (h.path, lim.path);
  std::string session
      = endpoint ? std::string () : session_id_of (lim.path, h.path);
  if (!endpoint && session.empty ())
    return refuse (404, "Not Found",
                   "no " + lim.protocol + " endpoint or session at this path");

  const char *allow = endpoint ? "POST, OPTIONS" : "PATCH, DELETE, OPTIONS";
  bool known = endpoint ? (h.method == "POST" || h.method == "OPTIONS")
                        : (h.method == "PATCH" || h.method == "DELETE"
                           || h.method == "OPTIONS");
  if (!known) {
    Route r
        = refuse (405, "Method Not Allowed",
                  "method " + h.method.substr (0, 16) + " is not allowed here");
    r.allow = allow;
    return r;
  }
  if (h.method == "OPTIONS") {
    Route r;
    r.action = Action::Options;
    r.status = 204;
    r.allow = allow;
    return r;
  }

  if (!lim.token.empty ()) {
    static const std::string kBearer = "Bearer ";
    bool scheme = h.authorization.size () > kBearer.size ()
                  && std::equal (kBearer.begin (), kBearer.end (),
                                 h.authorization.begin (), [] (char a, char b) {
                                   return std::tolower ((unsigned char)a)
                                          == std::tolower ((unsigned char)b);
                                 });
    bool ok = scheme
              && resilient::constant_time_equal (
                  lim.token,
                  std::string_view (h.authorization).substr (kBearer.size ()));
    if (!ok)
      return refuse (
          401, "Unauthorized",
          h.authorization.empty ()
              ? "this endpoint requires Authorization: Bearer <token>"
              : "the bearer token is not valid");
  }

  if (!endpoint && !session_exists)
    return refuse (404, "Not Found",
                   "no such session (it ended or never "
                   "existed)");

  if (h.method == "DELETE") {
    Route r;
    r.action = Action::Delete;
    r.status = 200;
    r.session = session;
    return r;
  }

  if (h.content_length && *h.content_length > lim.max_body)
    return refuse (413, "Content Too Large",
                   "the body has " + std::to_string (*h.content_length)
                       + " bytes; at most " + std::to_string (lim.max_body)
                       + " are accepted");

  std::string mt = whip::media_type (h.content_type);
  if (h.method == "POST") {
    if (h.content_type != "application/sdp" && mt != "application/sdp")
      return refuse (415, "Unsupported Media Type",
                     "an offer must be sent as Content-Type: application/sdp");
    if (lim.max_viewers > 0 && viewers >= lim.max_viewers) {
      Route r = refuse (503, "Service Unavailable",
                        "the viewer limit (" + std::to_string (lim.max_viewers)
                            + ") is reached");
      r.retry_after_s = static_cast<int> (
          std::max<std::int64_t> (1, (to_ms (lim.retry_after) + 999) / 1000));
      return r;
    }
    Route r;
    r.action = Action::CreateSession;
    r.status = 201;
    return r;
  }

  /* PATCH */
  if (mt != "application/trickle-ice-sdpfrag")
    return refuse (
        415, "Unsupported Media Type",
        "a PATCH must carry "
        "application/trickle-ice-sdpfrag (ICE restarts are not supported)");
  if (h.if_match.empty ())
    return refuse (
        428, "Precondition Required",
        "a trickle PATCH must carry If-Match with the session's ETag");
  Route r;
  r.action = Action::Trickle;
  r.status = 204;
  r.session = session;
  return r;
}

static std::string
lower (std::string s)
{
  for (auto &c : s)
    c = static_cast<char> (std::tolower (static_cast<unsigned char> (c)));
  return s;
}

/* "96 H264/90000" -> {"96", "h264", "90000"} */
static bool
split_rtpmap (const std::string &v, std::string &pt, std::string &enc,
              std::string &rate)
{
  auto sp = v.find (' ');
  if (sp == std::string::npos)
    return false;
  pt = v.substr (0, sp);
  std::string rest = v.substr (sp + 1);
  auto sl = rest.find ('/');
  enc = lower (rest.substr (0, sl));
  rate = sl == std::string::npos ? "" : rest.substr (sl + 1);
  rate = rate.substr (0, rate.find ('/'));
  return !pt.empty ();
}

static std::string
fmtp_of (const whip::SdpMedia &m, const std::string &pt)
{
  for (auto &v : m.attrs ("fmtp"))
    if (v.compare (0, pt.size () + 1, pt + " ") == 0)
      return lower (v.substr (pt.size () + 1));
  return {};
}

static std::string
fmtp_param (const std::string &fmtp, const std::string &name)
{
  std::size_t pos = 0;
  while (pos < fmtp.size ()) {
    auto end = fmtp.find (';', pos);
    if (end == std::string::npos)
      end = fmtp.size ();
    std::string kv = fmtp.substr (pos, end - pos);
    while (!kv.empty () && kv.front () == ' ')
      kv.erase (0, 1);
    auto eq = kv.find ('=');
    if (eq != std::string::npos && kv.substr (0, eq) == name)
      return kv.substr (eq + 1);
    pos = end + 1;
  }
  return {};
}

static int
to_pt (const std::string &s)
{
  if (s.empty () || s.size () > 3
      || !std::all_of (s.begin (), s.end (), ::isdigit))
    return -1;
  int v = std::stoi (s);
  return v <= 127 ? v : -1;
}

std::optional<Formats>
choose_formats (const std::string &offer, VideoCodec video, bool want_audio,
                int &status, std::string &error)
{
  auto sdp = whip::Sdp::parse (offer);
  if (!sdp || sdp->media.empty ()) {
    status = 400;
    error = "the body is not an SDP offer with an m-section";
    return std::nullopt;
  }
  Formats f;
  bool saw_video = false;
  for (auto &m : sdp->media) {
    std::string dir = m.direction ();
    if (m.port () == 0 && !m.has_attr ("bundle-only"))
      continue;
    if (dir != "recvonly" && dir != "sendrecv")
      continue;
    auto fmts = m.formats ();
    if (m.kind () == "video" && f.video_pt < 0) {
      saw_video = true;
      /* H264: Constrained Baseline (42e0xx, what we send) before plain
       * Baseline (42xxxx); a pass per preference */
      for (int pass = 0; pass < 2 && f.video_pt < 0; pass++)
        for (auto &v : m.attrs ("rtpmap")) {
          std::string pt, enc, rate;
          if (!split_rtpmap (v, pt, enc, rate) || rate != "90000"
              || std::find (fmts.begin (), fmts.end (), pt) == fmts.end ())
            continue;
          bool ok = false;
          if (video == VideoCodec::VP8) {
            ok = enc == "vp8";
          } else if (enc == "h264") {
            std::string fmtp = fmtp_of (m, pt);
            std::string mode = fmtp_param (fmtp, "packetization-mode");
            std::string plid = fmtp_param (fmtp, "profile-level-id");
            ok = mode == "1"
                 && (pass == 0 ? plid.rfind ("42e0", 0) == 0
                               : (plid.empty () || plid.rfind ("42", 0) == 0));
            if (ok)
              f.video_profile_level_id = plid;
          }
          if (ok && to_pt (pt) >= 0) {
            f.video_pt = to_pt (pt);
            f.video_mid = m.mid ();
            break;
          }
        }
    } else if (m.kind () == "audio" && want_audio && f.audio_pt < 0) {
      for (auto &v : m.attrs ("rtpmap")) {
        std::string pt, enc, rate;
        if (split_rtpmap (v, pt, enc, rate) && enc == "opus" && rate == "48000"
            && to_pt (pt) >= 0
            && std::find (fmts.begin (), fmts.end (), pt) != fmts.end ()) {
          f.audio_pt = to_pt (pt);
          f.audio_mid = m.mid ();
          break;
        }
      }
    }
  }
  if (f.video_pt < 0 && f.audio_pt < 0) {
    status = 422;
    const char *codec = video == VideoCodec::VP8
                            ? "VP8"
                            : "H264 (packetization-mode=1, Baseline profile)";
    error = saw_video
                ? std::string ("the offer accepts no ") + codec
                      + (want_audio ? " video and no Opus audio" : " video")
                : std::string ("the offer has no receiving m-section "
                               "for ")
                      + codec + (want_audio ? " or Opus" : "");
    return std::nullopt;
  }
  return f;
}

ViewerWatch::ViewerWatch (TimePoint created, Duration connect_timeout,
                          Duration rtcp_timeout)
    : created_ (created), connect_timeout_ (connect_timeout),
      rtcp_timeout_ (rtcp_timeout), last_life_ (created)
{
}

void
ViewerWatch::on_connected (TimePoint now)
{
  if (!connected_) {
    connected_ = true;
    last_life_ = std::max (last_life_, now);
  }
}

void
ViewerWatch::on_rtcp (TimePoint now)
{
  if (last_rtcp_ && now > *last_rtcp_) {
    longest_ = std::max (longest_, Duration (now - *last_rtcp_));
    gaps_++;
  }
  if (!first_rtcp_)
    first_rtcp_ = now;
  if (!last_rtcp_ || now > *last_rtcp_)
    last_rtcp_ = now;
  last_life_ = std::max (last_life_, now);
}

Duration
ViewerWatch::allowance () const
{
  Duration a = std::max (rtcp_timeout_, 3 * longest_);
  /* the first reports of an RFC 3550 stack come early (half interval)
   * and feedback (NACK, PLI) comes in bursts: until three gaps over at
   * least 10 s are known, the rhythm is not */
  if (gaps_ < 3 || !first_rtcp_ || *last_rtcp_ - *first_rtcp_ < ms (10000))
    a = std::max (a, Duration (ms (7500)));
  return a;
}

void
ViewerWatch::on_failed (std::string why)
{
  if (!failed_)
    failed_ = std::move (why);
}

std::optional<std::string>
ViewerWatch::dead (TimePoint now) const
{
  if (failed_)
    return failed_;
  if (!connected_) {
    if (connect_timeout_.count () > 0 && now - created_ >= connect_timeout_)
      return "not connected within " + std::to_string (to_ms (connect_timeout_))
             + " ms";
    return std::nullopt;
  }
  if (rtcp_timeout_.count () > 0 && now - last_life_ >= allowance ())
    return "no RTCP from the viewer for "
           + std::to_string (to_ms (now - last_life_)) + " ms";
  return std::nullopt;
}

Duration
ViewerWatch::silence (TimePoint now) const
{
  return now - last_life_;
}

KeyframeGate::KeyframeGate (Duration min_interval)
    : min_interval_ (min_interval)
{
}

std::optional<TimePoint>
KeyframeGate::request (TimePoint now)
{
  if (pending_) {
    coalesced_++;
    return std::nullopt;
  }
  TimePoint at = now;
  if (last_sent_ && now - *last_sent_ < min_interval_)
    at = *last_sent_ + min_interval_;
  pending_ = at;
  return at;
}

void
KeyframeGate::sent (TimePoint now)
{
  last_sent_ = now;
  pending_.reset ();
}

} // namespace resilient::server
