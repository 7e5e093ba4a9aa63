/* gst-resilient: the bus messages of failoversrc (documented field by field
 * in docs/elements/failoversrc.md), and the children's messages it passes
 * on or reads. Every string that may hold a URI is redacted here or before.
 */
#pragma once

#include "failover/private.h"
#include "resilient/core/time.h"
#include "resilient/failover/policy.h"

#include <gst/gst.h>

#include <optional>
#include <string>

namespace resilient::gst::failoversrc {

/* failoversrc-switch */
void post_switch (GstElement *element, const PendingSwitch &p,
                  std::uint64_t gap_ms);
/* A WARNING with the input's own words, then failoversrc-candidate-failed.
 * `uri` and `detail` are redacted. */
void post_candidate_failed (GstElement *element,
                            const resilient::failover::Action &a,
                            const std::string &uri, const std::string &detail);
/* failoversrc-retry */
void post_retry (GstElement *element, const resilient::failover::Action &a,
                 const std::string &uri);
/* failoversrc-give-up */
void post_give_up (GstElement *element, const resilient::failover::Action &a,
                   const std::string &uri, const std::string &detail);
/* Every candidate was given up: an ERROR (all-failed=error) or a WARNING
 * (all-failed=eos; the caller ends the stream). `why` names each one. */
void post_all_failed (GstElement *element, bool error, const std::string &why);

/* How a child's error counts (fatal or worth a retry). */
resilient::failover::ErrorClass classify_error (const GError *err);

/* The words of a child's error: its message, and the last line of its
 * debug string, redacted. */
std::string error_words (const GError *err, const gchar *dbg);
/* A copy of a candidate's element message fit for the application (strings
 * redacted), or NULL when it must stay inside. */
GstMessage *redacted_child_element_message (GstMessage *msg);
/* A child's WARNING or INFO, redacted. */
GstMessage *redacted_child_warning (GstMessage *msg);

/* A reswhepsrc-failure element message as a candidate failure. */
struct WhepFailure
{
  resilient::failover::FailureReason reason;
  bool fatal = false;
  std::string detail; /* redacted */
  resilient::Duration retry_floor{};
};
std::optional<WhepFailure> parse_whep_failure (GstMessage *msg);

} // namespace resilient::gst::failoversrc
