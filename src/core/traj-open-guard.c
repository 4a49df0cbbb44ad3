/* SPDX-License-Identifier: GPL-3.0-or-later */

/* While SQLite holds a clinic file, nothing else in this process may open
 * it, nor its -wal, -shm or -journal.
 *
 * POSIX locks belong to the process, not the descriptor: closing *any*
 * descriptor of a file drops every lock the process holds on it, its
 * SQLite connections' included. The next program to close the clinic then
 * takes itself for the last user and deletes the WAL under this process,
 * whose later writes go into a file nobody else sees (SQLite's "How To
 * Corrupt An SQLite Database File", §2.2). Our own code never opens a
 * clinic file outside SQLite, but libraries do: GIO sniffs a file's first
 * bytes to tell its type when the file chooser lists the clinic's folder,
 * a thumbnailer or a drag-and-drop may read it. So this file defines
 * open(), openat(), fopen() and their 64-bit and fortified names for the
 * whole program: a call that names a held clinic file (by inode, so other
 * names and hard links count) fails with EACCES; everything else goes to
 * the kernel or the C library unchanged. SQLite itself is given a direct
 * system call through its VFS (xSetSystemCall), so its own opens pass. */

#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS /* open() and open64() are two names here */
#define _GNU_SOURCE 1

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "traj-open-guard.h"

#define MAX_HELD 64

typedef struct {
  guint64 dev;
  guint64 ino;
  guint refs;
} Held;

static GMutex held_lock;
static Held held[MAX_HELD];
static int n_held; /* read without the lock as a fast "nothing held" test */

static int
direct_openat (int dirfd, const char *path, int flags, mode_t mode)
{
  return (int) syscall (SYS_openat, dirfd, path, flags | O_LARGEFILE, mode);
}

/* SQLite's unix VFS calls open() through its table of system calls. */
static int
sqlite_open (const char *path, int flags, int mode)
{
  return direct_openat (AT_FDCWD, path, flags, (mode_t) mode);
}

static void
install_sqlite_bypass (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      sqlite3_vfs *vfs = sqlite3_vfs_find ("unix");

      if (vfs != NULL && vfs->iVersion >= 3 && vfs->xSetSystemCall != NULL)
        vfs->xSetSystemCall (vfs, "open", (sqlite3_syscall_ptr) sqlite_open);
      g_once_init_leave (&done, 1);
    }
}

static gboolean
lookup (guint64 dev, guint64 ino)
{
  gboolean found = FALSE;

  g_mutex_lock (&held_lock);
  for (int k = 0; k < MAX_HELD && !found; k++)
    found = held[k].refs > 0 && held[k].dev == dev && held[k].ino == ino;
  g_mutex_unlock (&held_lock);
  return found;
}

static const char *const suffixes[] = { "-wal", "-shm", "-journal" };

/* Whether @path (relative to @dirfd) is a held clinic file or one SQLite
 * keeps beside it. No allocation: this runs inside every open(). */
static gboolean
is_held_at (int dirfd, const char *path)
{
  char base[PATH_MAX];
  const char *target = path;
  struct stat st;
  size_t len;

  if (g_atomic_int_get (&n_held) == 0 || path == NULL)
    return FALSE;
  len = strlen (path);
  for (guint k = 0; k < G_N_ELEMENTS (suffixes); k++)
    {
      size_t slen = strlen (suffixes[k]);

      if (len > slen && len - slen < sizeof base && strcmp (path + len - slen, suffixes[k]) == 0)
        {
          memcpy (base, path, len - slen);
          base[len - slen] = '\0';
          target = base;
          break;
        }
    }
  if (fstatat (dirfd, target, &st, 0) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  return lookup ((guint64) st.st_dev, (guint64) st.st_ino);
}

static gboolean
refuse (int dirfd, const char *path, int flags)
{
  /* O_CREAT | O_EXCL never opens a file that is there. */
  if ((flags & O_CREAT) && (flags & O_EXCL))
    return FALSE;
  if (!is_held_at (dirfd, path))
    return FALSE;
  errno = EACCES;
  return TRUE;
}

static mode_t
mode_arg (int flags, va_list ap)
{
  gboolean has_mode = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;

  return has_mode ? (mode_t) va_arg (ap, int) : 0;
}

/* ---- the program's open() ------------------------------------------------ */

#define DEFINE_OPEN(name)                                        \
  int name (const char *path, int flags, ...);                   \
  int                                                            \
  name (const char *path, int flags, ...)                        \
  {                                                              \
    va_list ap;                                                  \
    mode_t mode;                                                 \
    va_start (ap, flags);                                        \
    mode = mode_arg (flags, ap);                                 \
    va_end (ap);                                                 \
    if (refuse (AT_FDCWD, path, flags))                          \
      return -1;                                                 \
    return direct_openat (AT_FDCWD, path, flags, mode);          \
  }

#define DEFINE_OPENAT(name)                                      \
  int name (int dirfd, const char *path, int flags, ...);        \
  int                                                            \
  name (int dirfd, const char *path, int flags, ...)             \
  {                                                              \
    va_list ap;                                                  \
    mode_t mode;                                                 \
    va_start (ap, flags);                                        \
    mode = mode_arg (flags, ap);                                 \
    va_end (ap);                                                 \
    if (refuse (dirfd, path, flags))                             \
      return -1;                                                 \
    return direct_openat (dirfd, path, flags, mode);             \
  }

DEFINE_OPEN (open)
DEFINE_OPEN (open64)
DEFINE_OPENAT (openat)
DEFINE_OPENAT (openat64)

/* The names _FORTIFY_SOURCE builds call (two arguments, no mode). */
int __open_2 (const char *path, int flags);
int __open64_2 (const char *path, int flags);
int __openat_2 (int dirfd, const char *path, int flags);
int __openat64_2 (int dirfd, const char *path, int flags);

int
__open_2 (const char *path, int flags)
{
  return refuse (AT_FDCWD, path, flags) ? -1 : direct_openat (AT_FDCWD, path, flags, 0);
}

int
__open64_2 (const char *path, int flags)
{
  return __open_2 (path, flags);
}

int
__openat_2 (int dirfd, const char *path, int flags)
{
  return refuse (dirfd, path, flags) ? -1 : direct_openat (dirfd, path, flags, 0);
}

int
__openat64_2 (int dirfd, const char *path, int flags)
{
  return __openat_2 (dirfd, path, flags);
}

/* fopen() opens inside the C library, past the names above. */
typedef FILE *(*FopenFunc) (const char *, const char *);

static FILE *
guarded_fopen (const char *symbol, FopenFunc *real, const char *path, const char *mode)
{
  if (is_held_at (AT_FDCWD, path))
    {
      errno = EACCES;
      return NULL;
    }
  if (*real == NULL)
    *real = (FopenFunc) dlsym (RTLD_NEXT, symbol);
  if (*real == NULL)
    {
      errno = ENOSYS;
      return NULL;
    }
  return (*real) (path, mode);
}

FILE *
fopen (const char *path, const char *mode)
{
  static FopenFunc real;
  return guarded_fopen ("fopen", &real, path, mode);
}

FILE *
fopen64 (const char *path, const char *mode)
{
  static FopenFunc real;
  return guarded_fopen ("fopen64", &real, path, mode);
}

/* ---- public --------------------------------------------------------------- */

/* Called with the path a connection has just opened. */
gboolean
traj_open_guard_hold (const char       *path,
                      TrajOpenGuardKey *key)
{
  struct stat st;
  int free_slot = -1;

  install_sqlite_bypass ();
  memset (key, 0, sizeof *key);
  if (stat (path, &st) != 0)
    return FALSE;
  key->dev = (guint64) st.st_dev;
  key->ino = (guint64) st.st_ino;

  g_mutex_lock (&held_lock);
  for (int k = 0; k < MAX_HELD; k++)
    {
      if (held[k].refs > 0 && held[k].dev == key->dev && held[k].ino == key->ino)
        {
          held[k].refs++;
          g_mutex_unlock (&held_lock);
          return TRUE;
        }
      if (held[k].refs == 0 && free_slot < 0)
        free_slot = k;
    }
  if (free_slot >= 0)
    {
      held[free_slot] = (Held) { key->dev, key->ino, 1 };
      g_atomic_int_inc (&n_held);
    }
  g_mutex_unlock (&held_lock);
  if (free_slot < 0)
    {
      g_warning ("More than %d clinic files open at once; the last is not guarded", MAX_HELD);
      memset (key, 0, sizeof *key);
      return FALSE;
    }
  return TRUE;
}

void
traj_open_guard_release (const TrajOpenGuardKey *key)
{
  if (key->dev == 0 && key->ino == 0)
    return;
  g_mutex_lock (&held_lock);
  for (int k = 0; k < MAX_HELD; k++)
    if (held[k].refs > 0 && held[k].dev == key->dev && held[k].ino == key->ino)
      {
        if (--held[k].refs == 0)
          g_atomic_int_dec_and_test (&n_held);
        break;
      }
  g_mutex_unlock (&held_lock);
}

/* Whether @path is a clinic file (or its -wal, -shm, -journal) that a
 * connection of this process holds: nothing may open it but SQLite. */
gboolean
traj_open_guard_is_held (const char *path)
{
  return is_held_at (AT_FDCWD, path);
}

/* Call before the first SQLite connection: SQLite's own opens must pass. */
void
traj_open_guard_install (void)
{
  install_sqlite_bypass ();
}
