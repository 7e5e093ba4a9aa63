/* gst-resilient: the one redaction of secrets for logs, bus messages,
 * statistics and errors.
 *
 * Plain functions of their input (no GStreamer, no state), used by every
 * element through `resilient::gst::redact_uri` and friends
 * (gst/resilient/common/messages.h). Per-scheme rules:
 *
 * - every scheme: the userinfo (`user:password@`, a WHIP/WHEP bearer token
 *   given as `whip://TOKEN@host`) becomes `***@`;
 * - every scheme: query parameters whose name says secret (token,
 *   access_token, key, passphrase, password, secret, auth, sig, signature,
 *   streamid, ...; case-insensitive, also `x-amz-signature` style suffixes)
 *   keep their name and get the value `***`;
 * - rtmp, rtmps, rtmpt, rtmpe, rtmpte, rtmpts: the stream key, i.e. every
 *   path segment after the application (`rtmp://host/app/KEY` keeps
 *   `rtmp://host/app/` and the key becomes `***`);
 * - srt: `streamid` and `passphrase` (already covered by the query rule);
 * - HTTP headers: the values of Authorization, Proxy-Authorization, Cookie,
 *   Set-Cookie and any header whose name contains token, secret, key or
 *   password become `***` (the scheme word of Authorization is kept:
 *   `Bearer ***`).
 * Free text (error messages, child debug strings) has every URI-looking
 * token and every `Bearer <token>` redacted. */
#pragma once

#include <string>
#include <string_view>

namespace resilient {

class Redact
{
public:
  /* The URI with its secrets replaced by `***`; text that does not look like
   * a URI only gets the query rule applied. */
  static std::string uri (std::string_view uri);
  /* Every URI and `Bearer <token>` inside a free text redacted. */
  static std::string text (std::string_view text);
  /* True for a header whose value is a secret. */
  static bool is_secret_header (std::string_view name);
  /* The value to show for header `name` (redacted when secret). */
  static std::string header (std::string_view name, std::string_view value);
  /* True for a query parameter name whose value is a secret. */
  static bool is_secret_param (std::string_view name);
};

} // namespace resilient
