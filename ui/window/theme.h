// The studio's dark theme (View > Dark theme): Qt's Fusion style with a dark palette, for the
// whole application; the plots and maps keep their own colours, which read on it.
#pragma once

#include <QPalette>

namespace lenet::ui {

/// A dark palette for the Fusion style: light text on dark grey, a blue highlight.
QPalette darkPalette();
/// Switches the application to Fusion with darkPalette(), or back to the style and palette it
/// had before the first switch.
void useDarkTheme(bool dark);

}  // namespace lenet::ui
