/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-core"

#include "config.h"

#include <string.h>

#include "traj-search.h"

/* Letters that carry their mark inside them: no decomposition drops it. */
static const char *
fold_letter (gunichar c)
{
  switch (c)
    {
    case 0x00D8: case 0x00F8: return "o";  /* Ø ø */
    case 0x0141: case 0x0142: return "l";  /* Ł ł */
    case 0x0110: case 0x0111: return "d";  /* Đ đ */
    case 0x00C6: case 0x00E6: return "ae"; /* Æ æ */
    case 0x0152: case 0x0153: return "oe"; /* Œ œ */
    case 0x0131: return "i";               /* ı */
    case 0x2019: case 0x2018: return "'";  /* typographic apostrophes */
    default: return NULL;
    }
}

static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

char *
traj_search_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autoptr(GString) bare = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");
  /* Most keys are plain ASCII: no Unicode tables needed. */
  if (is_ascii (text))
    return g_ascii_strdown (text, -1);

  decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  bare = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *letter = fold_letter (c);

      if (g_unichar_type (c) == G_UNICODE_NON_SPACING_MARK)
        continue;
      if (letter)
        g_string_append (bare, letter);
      else
        g_string_append_unichar (bare, c);
    }
  return g_utf8_casefold (bare->str, -1);
}

gboolean
traj_search_matches (const char *folded_key,
                     const char *folded_query)
{
  return strstr (folded_key, folded_query) != NULL;
}
