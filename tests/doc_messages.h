/*
 * docs/config.md quotes the messages a user may see; each quoted line must
 * be one that this test saw the code produce, word for word (a line ending
 * in "..." matches as a prefix), so the documentation cannot drift from
 * the code.  Both tests collect what they saw with seen(); each checks the
 * lines of the "## Messages" section that are its own (select()).
 */
#include <stdlib.h>

#define SEEN_MAX 4096
static char *seen_msgs[SEEN_MAX];
static unsigned seen_count;

static void seen(const char *msg)
{
	if (!msg || !msg[0] || seen_count == SEEN_MAX)
		return;
	/* 159 characters fill a 160-byte field: the sentence was cut short. */
	if (strlen(msg) >= 159)
		CHECK(0, "a message fits its field whole: %s", msg);
	for (unsigned i = 0; i < seen_count; i++)
		if (!strcmp(seen_msgs[i], msg))
			return;
	seen_msgs[seen_count] = malloc(strlen(msg) + 1);
	strcpy(seen_msgs[seen_count++], msg);
}

static int was_seen(const char *doc)
{
	size_t n = strlen(doc);
	int prefix = n >= 3 && !strcmp(doc + n - 3, "...");

	for (unsigned i = 0; i < seen_count; i++)
		if (prefix ? !strncmp(seen_msgs[i], doc, n - 3) : !strcmp(seen_msgs[i], doc))
			return 1;
	return 0;
}

static void check_doc_messages(int (*select)(const char *line))
{
	FILE *f = fopen("docs/config.md", "r");
	char line[512];
	int in_section = 0, in_block = 0;
	unsigned checked = 0;

	if (!CHECK(f != NULL, "docs/config.md opens (make check runs from the top of the tree)"))
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "## ", 3))
			in_section = !strcmp(line, "## Messages");
		else if (in_section && !strncmp(line, "```", 3))
			in_block = !in_block;
		else if (in_section && in_block && select(line)) {
			CHECK(was_seen(line), "docs/config.md's message is the code's: %s", line);
			checked++;
		}
	}
	fclose(f);
	CHECK(checked >= 10, "docs/config.md quotes %u of this test's messages", checked);
	for (unsigned i = 0; i < seen_count; i++)
		free(seen_msgs[i]);
	seen_count = 0;
}
