#include "log.h"

namespace netboot {

isc::log::Logger netbootLogger("netboot-hooks");

}  // namespace netboot
