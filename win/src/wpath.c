// SPDX-License-Identifier: MIT
/*
 * win/src/wpath.c: paths on Windows.  UTF-8 (hwflash) <-> UTF-16 (Win32),
 * with the characters that no Windows file name may hold stored as Cygwin
 * and MSYS2 store them, and realpath().  Results are malloc'd (the caller
 * frees them); failures return NULL with errno set.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "win/src/compat_int.h"

wchar_t *hwf_wide_text(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	wchar_t *w;

	if (n <= 0) {
		errno = EINVAL;
		return NULL;
	}
	w = malloc((size_t)n * sizeof(*w));
	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

/* Never in a Windows file name: the control characters and these. */
static int forbidden(wchar_t c)
{
	return c < 0x20 || (c < 0x80 && strchr("\"*:<>?|", (int)c));
}

static int sep(wchar_t c)
{
	return c == L'/' || c == L'\\';
}

/* The length of what precedes the names in @w: a \\?\ or \\.\ prefix, a drive's "C:". */
static size_t root_len(const wchar_t *w)
{
	size_t n = 0;

	if (sep(w[0]) && sep(w[1]) && (w[2] == L'?' || w[2] == L'.') && sep(w[3]))
		n = 4;
	if (((w[n] | 0x20) >= L'a' && (w[n] | 0x20) <= L'z') && w[n + 1] == L':')
		n += 2;
	return n;
}

/* Does the name that ends before @end (its first character at @start) end the way
 * Windows strips (a dot or a space), and is not "." or ".."? */
static int strippable(const wchar_t *start, const wchar_t *end)
{
	size_t n = (size_t)(end - start);

	if (!n || (end[-1] != L'.' && end[-1] != L' '))
		return 0;
	return !((n == 1 && start[0] == L'.') || (n == 2 && start[0] == L'.' && start[1] == L'.'));
}

/*
 * A path: in each name (never in a \\?\ or \\.\ prefix nor a drive's colon),
 * the control characters 0x01-0x1f and " * : < > ? |, which no Windows file
 * name may hold, become U+F000 + the character (private use), as Cygwin and
 * MSYS2 store them; so does a name's last character when it is a dot or a
 * space (Windows would drop it).  hwf_utf8() turns them back: a ramdisk's
 * "a\nb", "x:y" or "end." is thus a file on NTFS, and reads back as it was.
 */
wchar_t *hwf_wide(const char *s)
{
	wchar_t *w = hwf_wide_text(s), *name;

	if (!w)
		return NULL;
	name = w + root_len(w);
	for (wchar_t *p = name;; p++) {
		if (sep(*p) || !*p) {
			if (strippable(name, p))
				p[-1] = (wchar_t)(0xf000 + p[-1]);
			if (!*p)
				break;
			name = p + 1;
		} else if (forbidden(*p)) {
			*p = (wchar_t)(0xf000 + *p);
		}
	}
	return w;
}

char *hwf_utf8(const wchar_t *w0)
{
	size_t len = wcslen(w0);
	wchar_t *w = malloc((len + 1) * sizeof(*w));
	int n;
	char *s;

	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i <= len; i++) {
		wchar_t c = w0[i], a = (wchar_t)(c - 0xf000);

		if (c > 0xf000 && c < 0xf080 &&
		    (forbidden(a) || ((a == L'.' || a == L' ') && (sep(w0[i + 1]) || !w0[i + 1]))))
			c = a;
		w[i] = c;
	}
	n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	if (n <= 0) {
		free(w);
		errno = EINVAL;
		return NULL;
	}
	s = malloc((size_t)n);
	if (!s) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	free(w);
	return s;
}

/* --- realpath -------------------------------------------------------------------------------- */

/* "C:\a" -> "C:/a" in place; @s. */
static char *slashes(char *s)
{
	for (char *c = s; c && *c; c++)
		if (*c == '\\')
			*c = '/';
	return s;
}

static int absolute(const char *p)
{
	return p[0] == '/' || p[0] == '\\' || (p[0] && p[1] == ':');
}

/* The folder Windows resolves @w in (L"\\": the current drive's root), UTF-8 with '/'. */
static char *full_of(const wchar_t *w)
{
	wchar_t full[32768];
	DWORD k = GetFullPathNameW(w, 32768, full, NULL);

	if (!k || k >= 32768) {
		hwf_win_fail(k ? ERROR_FILENAME_EXCED_RANGE : GetLastError());
		return NULL;
	}
	return slashes(hwf_utf8(full));
}

/*
 * @path made absolute without looking at its names (GetFullPathNameW would
 * take "link/.." away before the link could be followed): "C:/..." and
 * "//server/share/..." as written, "/x" on the current drive, "x" in the
 * current folder; "C:x" as Windows reads it.
 */
static char *absolute_path(const char *path)
{
	char *root, *out;
	wchar_t *w;
	size_t n;

	if ((path[0] && path[1] == ':' && (path[2] == '/' || path[2] == '\\')) ||
	    ((path[0] == '/' || path[0] == '\\') && (path[1] == '/' || path[1] == '\\')))
		return slashes(strdup(path));
	if (path[0] && path[1] == ':')
		w = hwf_wide(path); /* C:x */
	else
		w = hwf_wide(path[0] == '/' || path[0] == '\\' ? "\\" : ".");
	if (!w)
		return NULL;
	root = full_of(w);
	free(w);
	if (!root || (path[0] && path[1] == ':'))
		return root;
	n = strlen(root) + strlen(path) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", root, path + (path[0] == '/' || path[0] == '\\'));
	free(root);
	return slashes(out);
}

/* The length of the root of the absolute @p: "C:/", "//server/share/", "//?/C:/". */
static size_t root_of(const char *p)
{
	const char *r = p;

	if (p[0] == '/' && p[1] == '/') {
		for (int seps = 0; *r && seps < 4; r++)
			seps += *r == '/';
		return (size_t)(r - p);
	}
	r = strchr(p, '/');
	return r ? (size_t)(r + 1 - p) : strlen(p);
}

/*
 * @todo (absolute, '/') walked name by name into a new string: "." dropped,
 * ".." taking the name before it away, and a link of win/src/at.c (a file,
 * which Windows cannot walk through) replaced by its target followed by the
 * rest, as Linux follows symbolic links; 40 links at most (ELOOP).
 */
static char *walk(char *todo)
{
	int links = 0;

	while (todo) {
		size_t base = root_of(todo);
		char *cur = malloc(strlen(todo) + 2), *p = todo + base, link[4096], *next;
		ssize_t t = -1;

		if (!cur)
			break;
		snprintf(cur, base + 1, "%s", todo);
		while (*p) {
			size_t n = strcspn(p, "/"), len = strlen(cur);
			const char *name = p;

			p += n + (p[n] != 0);
			if (!n || (n == 1 && name[0] == '.'))
				continue;
			if (n == 2 && name[0] == '.' && name[1] == '.') {
				while (len > base && cur[len - 1] == '/')
					len--;
				while (len > base && cur[len - 1] != '/')
					len--;
				cur[len] = 0;
				continue;
			}
			snprintf(cur + len, n + 2, "%s%.*s", cur[len - 1] == '/' ? "" : "/", (int)n,
				 name);
			t = hwfw_readlink(cur, link, sizeof(link) - 1);
			if (t >= 0) {
				cur[len] = 0;
				break;
			}
		}
		if (t < 0) {
			free(todo);
			return cur;
		}
		if (++links > 40) {
			free(cur);
			free(todo);
			errno = ELOOP;
			return NULL;
		}
		link[t] = 0;
		next = malloc(strlen(cur) + (size_t)t + strlen(p) + 3);
		if (next && absolute(link))
			sprintf(next, "%s/%s", link, p);
		else if (next)
			sprintf(next, "%s/%s/%s", cur, link, p);
		free(cur);
		free(todo);
		todo = next ? absolute_path(next) : NULL;
		free(next);
	}
	if (errno != ELOOP)
		errno = errno ? errno : ENOMEM;
	return NULL;
}

/*
 * realpath(): the links of win/src/at.c followed in every part of @path
 * (walk), then the file opened and its final path asked for
 * (GetFinalPathNameByHandleW), which resolves what Windows follows itself
 * (symbolic links, junctions) in every part.  "C:/a/b": '/' between names
 * (the callers compare paths and look for '/'; Windows takes both); at most
 * PATH_MAX bytes in @resolved (ENAMETOOLONG), or a malloc'd string.
 */
char *hwfw_realpath(const char *path, char *resolved)
{
	char *cur = walk(absolute_path(path)), *u;
	wchar_t *w = cur ? hwf_wide(cur) : NULL, fin[32768];
	const wchar_t *f = fin;
	HANDLE h = INVALID_HANDLE_VALUE;
	DWORD k = 0;

	fin[0] = 0;
	if (w)
		h = CreateFileW(w, FILE_READ_ATTRIBUTES,
				FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
				OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		if (cur)
			hwf_win_fail(GetLastError());
		free(cur);
		return NULL;
	}
	k = GetFinalPathNameByHandleW(h, fin, 32768, FILE_NAME_NORMALIZED);
	CloseHandle(h);
	/* \\?\C:\x -> C:\x and \\?\UNC\srv\x -> \\srv\x */
	if (!wcsncmp(fin, L"\\\\?\\UNC\\", 8)) {
		fin[6] = L'\\';
		f = fin + 6;
	} else if (!wcsncmp(fin, L"\\\\?\\", 4)) {
		f = fin + 4;
	}
	/* No final path (some network drives): the one walked. */
	u = k && k < 32768 ? slashes(hwf_utf8(f)) : strdup(cur);
	free(cur);
	if (!u || !resolved)
		return u;
	if (strlen(u) >= PATH_MAX) {
		free(u);
		errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(resolved, PATH_MAX, "%s", u);
	free(u);
	return resolved;
}
