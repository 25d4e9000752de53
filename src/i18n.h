/* Translation macros: every user-visible string goes through _() (or N_() where it is
 * only marked, e.g. in static tables, and translated where it is shown). */
#ifndef IM_I18N_H
#define IM_I18N_H

#include <libintl.h>
#include <locale.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
