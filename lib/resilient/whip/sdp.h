/* gst-resilient WHIP/WHEP: the SDP text the clients send and check.
 *
 * webrtcbin 1.22 makes almost conformant offers; the rest is fixed here on
 * the text before the POST: the same a=msid on every WHIP m-section (media
 * level and ssrc level agree), the sdes:mid header extension when asked
 * (WHEP; a WHIP publisher's payloaders write it, so webrtcbin already
 * lists it), rtcp-mux-only and a BUNDLE group over every m-section, and
 * H264 fmtp a browser-grade server accepts
 * (Constrained Baseline 42e01f, packetization-mode=1,
 * level-asymmetry-allowed=1). Answers are checked for rejected m-lines and
 * wrong directions, and trickle PATCH bodies (RFC 8840 sdpfrag) are built
 * for the first bundled m-line only.
 */
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace resilient::whip {

struct SdpMedia
{
  std::string mline;                 /* "m=video 9 UDP/TLS/RTP/SAVPF 96 97" */
  std::vector<std::string> lines;    /* every following line, without CRLF */

  std::string kind () const;         /* "audio", "video", "application" */
  int port () const;                 /* -1 when unparsable */
  std::vector<std::string> formats () const;
  std::optional<std::string> attr (const std::string &name) const;
  std::vector<std::string> attrs (const std::string &name) const;
  bool has_attr (const std::string &name) const;
  std::string mid () const;          /* empty when none */
  /* sendrecv / sendonly / recvonly / inactive; sendrecv when absent */
  std::string direction () const;
};

struct Sdp
{
  std::vector<std::string> session;  /* lines before the first m= */
  std::vector<SdpMedia> media;

  static std::optional<Sdp> parse (const std::string &text);
  std::string to_string () const;    /* CRLF line ends */

  std::optional<std::string> session_attr (const std::string &name) const;
  /* mids of the first a=group:BUNDLE, in order */
  std::vector<std::string> bundle_mids () const;
};

struct OfferFixups
{
  /* WHIP: a=msid:<stream_id> <track> on every m-section. */
  bool add_msid = false;
  /* Stream id for a=msid; empty: take the first ssrc-level msid's, else
   * "resilient". */
  std::string stream_id;
  /* Advertise the sdes:mid header extension. Only for a receiving offer
   * (WHEP) or when the sender really writes it: a receiver that negotiated
   * MID routes by it and drops packets that lack it. */
  bool add_mid_extmap = true;
  bool rtcp_mux_only = true;
  bool bundle_all = true;
  bool h264_constrained_baseline = true;
};

inline constexpr const char *kSdesMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr const char *kTwccUri
    = "http://www.ietf.org/id/"
      "draft-holmer-rmcat-transport-wide-cc-extensions-01";

/* Why a receiver could not route or pace the media of an offer; empty when
 * it can. For every m-section that sends media (sendonly or sendrecv, audio
 * or video, not rejected): no a=ssrc line and no sdes:mid header extension
 * (nothing names the stream: a receiver that does not demultiplex by
 * payload type drops it as "unknown SSRC"); ssrc-level msid that differs
 * from the media-level a=msid; rtcp-fb transport-cc without the
 * transport-wide-cc header extension (no feedback ever comes), or the
 * extension without the feedback; one header-extension URI under two ids
 * in one BUNDLE group. A receiving m-section only needs its mid. Each
 * problem names the m-section. */
std::vector<std::string> routing_problems (const std::string &offer);

/* Applies the fixups to an offer; nullopt when `offer` is not SDP. */
std::optional<std::string> fix_offer (const std::string &offer,
    const OfferFixups &fixups);

/* Problems with an answer to an offer whose m-sections were `offer_direction`
 * (sendonly for WHIP, recvonly for WHEP): a different m-line count, an
 * m-line rejected with port 0 (outside the BUNDLE group), a direction other
 * than the complement. Empty when the answer is fine. */
std::vector<std::string> check_answer (const std::string &offer,
    const std::string &answer, const std::string &offer_direction);

/* The same for a WHEP player, which can live with part of its offer
 * declined: m-lines rejected (port 0 outside the BUNDLE group) or answered
 * inactive are not problems as long as one m-line is usable. `active`
 * receives the kinds ("audio", "video") of the usable m-lines. */
std::vector<std::string> check_answer_partial (const std::string &offer,
    const std::string &answer, const std::string &offer_direction,
    std::vector<std::string> &active);

/* What a trickle PATCH needs from the local offer: the first bundled
 * m-line (the BUNDLE tag, else the first m-line) with its mid and ICE
 * credentials (media level, else session level). */
struct TrickleTarget
{
  std::string mline;
  std::string mid;
  std::string ice_ufrag;
  std::string ice_pwd;
};

std::optional<TrickleTarget> trickle_target (const std::string &offer);

/* An application/trickle-ice-sdpfrag body: m=, a=mid, a=ice-ufrag,
 * a=ice-pwd, the candidates (each "candidate:..." with or without "a="),
 * and a=end-of-candidates when `end`. */
std::string build_sdpfrag (const TrickleTarget &target,
    const std::vector<std::string> &candidates, bool end);

/* The a=candidate values of the first bundled m-line of a local
 * description ("candidate:..." strings). */
std::vector<std::string> candidates_of (const std::string &sdp);

/* Removes every a=candidate and a=end-of-candidates (for a trickle offer
 * whose candidates go in PATCHes). */
std::string strip_candidates (const std::string &sdp);

}  // namespace resilient::whip
