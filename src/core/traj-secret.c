/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-secret"

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "traj-secret.h"

static char *
hash_with_salt (const char *salt, const char *secret)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) salt, -1);
  g_checksum_update (sum, (const guchar *) ":", 1);
  g_checksum_update (sum, (const guchar *) secret, -1);
  return g_strdup (g_checksum_get_string (sum));
}

guint32
traj_secret_random (void)
{
  guint32 v = 0;
  int fd = g_open ("/dev/urandom", O_RDONLY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      if (read (fd, &v, sizeof v) != sizeof v)
        v = g_random_int ();
      close (fd);
    }
  else
    v = g_random_int ();
  return v;
}

char *
traj_secret_hash (const char *secret, char **salt_out)
{
  g_autofree char *salt = g_strdup_printf ("%08x%08x%08x%08x", traj_secret_random (), traj_secret_random (),
                                           traj_secret_random (), traj_secret_random ());
  char *hash = hash_with_salt (salt, secret);

  if (salt_out)
    *salt_out = g_steal_pointer (&salt);
  return hash;
}

gboolean
traj_secret_verify (const char *secret, const char *salt, const char *hash)
{
  g_autofree char *h = NULL;

  if (secret == NULL || salt == NULL || hash == NULL || *hash == '\0')
    return FALSE;
  h = hash_with_salt (salt, secret);
  return g_str_equal (h, hash);
}
