/* gst-resilient: why a publish session ended, and whether that is worth a
 * retry.
 *
 * The element classifies what it saw (an error from the transport, an EOS,
 * a watcher's verdict) into one of these kinds; the restore scheduler acts on
 * the kind only. Local errors and refusals are fatal: they are reported once
 * and never retried in a loop, because retrying cannot fix them.
 */
#pragma once

#include "resilient/core/failure.h"

namespace resilient::restore {

/* autorestoresink's reasons are the output part of the one taxonomy
 * (lib/resilient/core/failure.h). */
using FailureKind = resilient::Failure;

/* Local errors and refusals are fatal: retrying cannot fix them. */
constexpr bool
is_fatal (FailureKind k)
{
  return k == FailureKind::Refused || k == FailureKind::LocalError;
}

} // namespace resilient::restore
