/* gst-resilient: the failoversrc candidate list.
 *
 * Parsing the `uris` string, checking each URI's syntax, telling which kind
 * of input it is (live push/pull protocol, adaptive HTTP, file) and turning
 * the errors an input reports into reasons and a fatal/transient verdict.
 * Nothing here knows GStreamer: the element maps GError domains and codes to
 * ErrorClass before asking.
 */
#pragma once

#include "resilient/core/failure.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resilient::failover {

/* How an input delivers data; decides how its health is judged. */
enum class InputKind {
  Live,     /* rtmp, srt, rtsp, udp...: a steady flow of packets */
  Adaptive, /* HLS / DASH / plain HTTP: downloads arrive in bursts */
  File,     /* local file: paced by the element, ends with EOS */
};

struct Candidate
{
  std::string uri;    /* as given (trimmed) */
  std::string scheme; /* lower-case, empty when unparsable */
  InputKind kind = InputKind::Live;
  /* Set when the URI cannot be used at all (syntax); the element adds its
   * own check that a source element exists for the scheme. */
  std::optional<std::string> problem;
};

/* Splits a `uris` string: entries are separated by '|', whitespace or
 * newlines; empty entries are dropped. */
std::vector<std::string> split_uri_list (std::string_view text);

/* Joins entries back with " | " (what the `uris` property reads back). */
std::string join_uri_list (const std::vector<std::string> &uris);

/* Syntax check and classification of one URI. */
Candidate parse_candidate (std::string_view uri);

/* Why a candidate stopped: the input part of the one taxonomy
 * (lib/resilient/core/failure.h); failure_name gives the bus message
 * `reason` values. */
using FailureReason = resilient::Failure;

const char *reason_name (FailureReason r);

/* An input's error, as the element classified the GError. */
enum class ErrorClass {
  NotFound,      /* HTTP 404, no such file / stream */
  NotAuthorized, /* HTTP 401 / 403, bad stream key */
  MissingPlugin, /* no decoder / demuxer / source for this input */
  BadUri,
  Transient, /* refused, reset, timeout, read errors: worth a retry */
};

/* Fatal failures are reported and not retried: retrying cannot fix them. */
bool is_fatal (ErrorClass c);

} // namespace resilient::failover
