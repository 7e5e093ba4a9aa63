/* gst-resilient WHIP/WHEP: what each HTTP answer means (RFC 9725,
 * draft-ietf-wish-whep).
 *
 * classify() turns one response to one kind of request into a verdict: what
 * to do next and, for a failure, whether it is fatal (misconfiguration,
 * refusal, auth: do not retry blindly) or transient (the server is busy or
 * gone: retry after Retry-After and backoff). PostExchange runs the POST
 * with its redirects: 307/308 re-sent to the new URL with the same body and
 * token, within a hop limit; 301/302/303 refused (a library following them
 * would turn the POST into a GET); Location resolved against the URL that
 * answered. Time ("now", seconds since the epoch for HTTP-dates) is passed
 * in.
 */
#pragma once

#include "resilient/core/time.h"
#include "resilient/whip/link.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace resilient::whip {

enum class Protocol { Whip, Whep };

enum class Request {
  Options,          /* before the offer, for Link ICE servers */
  Post,             /* the offer */
  TricklePatch,     /* application/trickle-ice-sdpfrag */
  IceRestartPatch,  /* If-Match: "*" */
  AnswerPatch,      /* WHEP: our answer to a 406 counter-offer */
  Delete,           /* teardown */
};

enum class Severity { None, Transient, Fatal };

enum class Outcome {
  Ok,                  /* the expected success */
  OkLegacy,            /* 200 (or another 2xx) to a POST: accepted, warn */
  Redirect,            /* 307/308: send again to `location` */
  Retry,               /* transient: retry later (>= retry_after) */
  Refused,             /* the server refused the request (4xx, 3xx) */
  AuthFailed,          /* 401/403 */
  SessionGone,         /* 404 on PATCH/DELETE */
  TrickleUnsupported,  /* 405/415/422/501 to a trickle PATCH: stop trickling */
  EtagMismatch,        /* 412/428 */
  CounterOffer,        /* WHEP 406 carrying an SDP counter-offer */
  Ignored,             /* OPTIONS failure: go on without Link ICE servers */
};

struct HttpResponse
{
  int status = 0;
  std::string content_type;           /* media type, parameters allowed */
  std::string location;
  std::string etag;
  std::string retry_after;
  std::string valid_until;            /* WHEP 406: Valid-Until (draft) */
  std::string expires;                /* Expires (RFC 9111) */
  std::vector<std::string> links;     /* every Link header value */
  std::string body;
};

struct Verdict
{
  Outcome outcome = Outcome::Ok;
  Severity severity = Severity::None;
  int status = 0;
  /* One line for logs and bus messages: what happened and what to fix.
   * Never contains a token. */
  std::string message;
  std::string problem_title;         /* application/problem+json */
  std::string problem_detail;
  std::optional<Duration> retry_after;
  /* CounterOffer: how long the counter-offer stays valid from now
   * (counter_offer_validity); the answer must be PATCHed before. */
  std::optional<Duration> valid_for;
  bool warning = false;              /* success with a conformance warning */
};

/* Validity of a WHEP 406 counter-offer when the server does not say. */
constexpr Duration kCounterOfferValidity = ms (30000);

/* How long a WHEP 406 counter-offer stays valid from `now_unix_s`: its
 * `Valid-Until` header (draft-ietf-wish-whep: an HTTP-date, delay-seconds
 * accepted too), else `Expires` (HTTP-date), else kCounterOfferValidity. A
 * time in the past gives zero (already expired), a later one than
 * kMaxHttpDelay (retryafter.h) gives kMaxHttpDelay; a malformed value is
 * ignored like an absent one. */
Duration counter_offer_validity (const HttpResponse &resp,
    std::int64_t now_unix_s);

const char *outcome_name (Outcome o);
const char *severity_name (Severity s);
const char *request_name (Request r);

/* The media type without parameters, lower-case. */
std::string media_type (const std::string &content_type);

/* title and detail of an application/problem+json body (RFC 9457); a short
 * printable excerpt of a text body as the detail otherwise. */
void extract_problem (const HttpResponse &resp, std::string &title,
    std::string &detail);

Verdict classify (Protocol protocol, Request request, const HttpResponse &resp,
    std::int64_t now_unix_s);

/* A request that never got an answer (timeout, refused connection, TLS):
 * transient, status 0. */
Verdict network_failure (Request request, const std::string &what);

/* The POST of the offer, across redirects. */
class PostExchange
{
public:
  PostExchange (Protocol protocol, std::string endpoint, int max_hops = 5);

  /* Where to send the (next) POST. */
  const std::string &url () const { return url_; }
  int hops () const { return hops_; }

  struct Result
  {
    Verdict verdict;
    /* Redirect: the next URL, already made current (url()). */
    std::string next_url;
    /* Ok/OkLegacy/CounterOffer: the session URL resolved against the URL
     * that answered, the ETag, the answer (or counter-offer) SDP, and the
     * ICE servers of rel="ice-server" Links. */
    std::string session_url;
    std::string etag;
    std::string sdp;
    std::vector<IceServer> ice_servers;
  };

  Result on_response (const HttpResponse &resp, std::int64_t now_unix_s);

private:
  Protocol protocol_;
  std::string url_;
  int max_hops_;
  int hops_ = 0;
};

}  // namespace resilient::whip
