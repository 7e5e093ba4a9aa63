/* HoldQueue is a header template; this unit keeps it compiled with the
 * library so a syntax error shows up in every build. */
#include "resilient/restore/hold_queue.h"

namespace resilient::restore {
template class HoldQueue<int>;
}
