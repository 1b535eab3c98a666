using Chorus.Data;
using Chorus.Features.Forum.Members;
using Chorus.Features.Forum.Posting;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum;

public sealed record LatestTopic(Guid Id, string Title, DateTimeOffset LastPostAt);
public sealed record CategoryView(Guid Id, string Slug, string Name, string? Description, int Topics, LatestTopic? Latest, bool IsSupport = false);
public sealed record TopicRow(Guid Id, string Title, string AuthorName, bool AuthorIsStaff, DateTimeOffset CreatedAt, DateTimeOffset LastPostAt,
    int ReplyCount, bool IsPinned, bool IsLocked, bool Answered, PostState State);
public sealed record TopicList(CategoryView Category, IReadOnlyList<TopicRow> Topics, int Page, int PageCount);
public sealed record PostView(Guid Id, int Position, string AuthorName, bool AuthorIsMember, bool IsOfficial, string Html, string Markdown, DateTimeOffset CreatedAt,
    PostState State, string? HeldReason, int LikeCount, bool LikedByViewer, string? ModerationReason, double SpamScore, double ToxicityScore,
    DateTimeOffset? EditedAt = null, string? EditedByName = null);
/// LastReadPosition: for a signed-in member, how far they had read the topic before this page (null: never opened it);
/// the page marks where their unread posts begin.
public sealed record TopicView(Guid Id, string Title, CategoryView Category, string AuthorName, Guid? AuthorMemberId, DateTimeOffset CreatedAt,
    bool IsPinned, bool IsLocked, PostState State, Guid? AcceptedPostId, PostView? AcceptedAnswer, int ReplyCount,
    IReadOnlyList<PostView> Posts, int Page, int PageCount, int? LastReadPosition = null)
{
    /// The first post on this page the member had not read before, when they had read some of the topic.
    public Guid? FirstUnreadPostId => LastReadPosition is { } read ? Posts.FirstOrDefault(p => p.Position > read)?.Id : null;
}
public sealed record SearchHit(Guid TopicId, string TopicTitle, Guid PostId, int Position, string AuthorName, DateTimeOffset CreatedAt, string Excerpt);
public sealed record MemberProfile(string Username, TrustLevel Trust, DateTimeOffset JoinedAt, int Posts, int Topics, int LikesReceived, int Answers,
    IReadOnlyList<SearchHit> RecentPosts);

/// What a viewer may read of the forum: published posts for everyone, their own held posts for a
/// member, everything (marked) for staff. Topic pages read one range of positions (20 per page).
public class ReadForum(ChorusDb db, RaiseTrustLevel trust)
{
    public async Task<List<CategoryView>> CategoriesAsync(CancellationToken ct = default)
    {
        var categories = await db.ForumCategories.AsNoTracking().OrderBy(c => c.Position).ThenBy(c => c.Name).ToListAsync(ct);
        var counts = await db.ForumTopics.AsNoTracking().Where(t => t.State == PostState.Visible)
            .GroupBy(t => t.CategoryId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var result = new List<CategoryView>();
        foreach (var c in categories)
        {
            var latest = await db.ForumTopics.AsNoTracking().Where(t => t.CategoryId == c.Id && t.State == PostState.Visible)
                .OrderByDescending(t => t.LastPostAt).Select(t => new LatestTopic(t.Id, t.Title, t.LastPostAt)).FirstOrDefaultAsync(ct);
            result.Add(new CategoryView(c.Id, c.Slug, c.Name, c.Description, counts.GetValueOrDefault(c.Id), latest, c.IsSupport));
        }
        return result;
    }

    /// The categories' ids and names in their order (for a moderator's move and split forms).
    public async Task<IReadOnlyList<(Guid Id, string Name)>> CategoryNamesAsync(CancellationToken ct = default) =>
        (await db.ForumCategories.AsNoTracking().OrderBy(c => c.Position).ThenBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync(ct))
            .Select(c => (c.Id, c.Name)).ToList();

    public async Task<CategoryView?> CategoryAsync(string slug, CancellationToken ct = default) =>
        await db.ForumCategories.AsNoTracking().Where(c => c.Slug == slug)
            .Select(c => new CategoryView(c.Id, c.Slug, c.Name, c.Description, 0, null)).SingleOrDefaultAsync(ct);

    private IQueryable<ForumTopic> VisibleTopics(ForumViewer viewer)
    {
        // A topic merged into another is only a pointer to it (TopicMerging): nobody lists or opens it.
        var q = db.ForumTopics.AsNoTracking().Where(t => t.MergedIntoId == null);
        if (viewer.IsStaff) return q;
        var memberId = viewer.Member?.Id;
        return q.Where(t => t.State == PostState.Visible || (t.State == PostState.Held && memberId != null && t.AuthorMemberId == memberId));
    }

    private IQueryable<ForumPost> VisiblePosts(ForumViewer viewer, Guid topicId)
    {
        var q = db.ForumPosts.AsNoTracking().Where(p => p.TopicId == topicId);
        if (viewer.IsStaff) return q;
        var memberId = viewer.Member?.Id;
        return q.Where(p => p.State == PostState.Visible || (p.State == PostState.Held && memberId != null && p.AuthorMemberId == memberId));
    }

    public async Task<TopicList?> TopicsAsync(ForumViewer viewer, string slug, int page, int pageSize = 30, CancellationToken ct = default)
    {
        var category = await CategoryAsync(slug, ct);
        if (category is null) return null;
        var q = VisibleTopics(viewer).Where(t => t.CategoryId == category.Id);
        var total = await q.CountAsync(ct);
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pageCount);
        var topics = await q.OrderByDescending(t => t.IsPinned).ThenByDescending(t => t.LastPostAt)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(t => new TopicRow(t.Id, t.Title, t.AuthorName, t.AuthorStaffId != null, t.CreatedAt, t.LastPostAt, t.ReplyCount, t.IsPinned, t.IsLocked,
                t.AcceptedPostId != null, t.State))
            .ToListAsync(ct);
        return new TopicList(category with { Topics = total }, topics, page, pageCount);
    }

    public async Task<TopicView?> TopicAsync(ForumViewer viewer, Guid topicId, int page, CancellationToken ct = default)
    {
        var topic = await VisibleTopics(viewer).Include(t => t.Category).SingleOrDefaultAsync(t => t.Id == topicId, ct);
        if (topic is null) return null;
        var posts = VisiblePosts(viewer, topicId);
        var total = await posts.CountAsync(ct);
        var pageCount = Math.Max(1, (total + ForumLimits.PageSize - 1) / ForumLimits.PageSize);
        page = Math.Clamp(page, 1, pageCount);
        var rows = await posts.OrderBy(p => p.Position).Skip((page - 1) * ForumLimits.PageSize).Take(ForumLimits.PageSize).ToListAsync(ct);
        var liked = new HashSet<Guid>();
        int? lastRead = null;
        if (viewer.Member is { } member && rows.Count > 0)
        {
            var ids = rows.Select(r => r.Id).ToList();
            liked = (await db.ForumLikes.AsNoTracking().Where(l => l.MemberId == member.Id && ids.Contains(l.PostId)).Select(l => l.PostId).ToListAsync(ct)).ToHashSet();
            lastRead = await RecordReadAsync(member, topicId, rows.Max(r => r.Position), ct);
        }
        PostView? accepted = null;
        if (topic.AcceptedPostId is { } acceptedId)
        {
            // On this page already, or one more indexed read (the page shows it at the top).
            var a = rows.Find(r => r.Id == acceptedId) ?? await posts.SingleOrDefaultAsync(p => p.Id == acceptedId, ct);
            if (a is not null) accepted = View(a, liked);
        }
        var c = topic.Category!;
        return new TopicView(topic.Id, topic.Title, new CategoryView(c.Id, c.Slug, c.Name, c.Description, 0, null), topic.AuthorName, topic.AuthorMemberId,
            topic.CreatedAt, topic.IsPinned, topic.IsLocked, topic.State, topic.AcceptedPostId, accepted, topic.ReplyCount,
            rows.Select(r => View(r, liked)).ToList(), page, pageCount, lastRead);
    }

    /// The page of a topic a post is on, for the viewer (links to a post land on it).
    public async Task<int> PageOfAsync(ForumViewer viewer, Guid topicId, int position, CancellationToken ct = default) =>
        await VisiblePosts(viewer, topicId).CountAsync(p => p.Position < position, ct) / ForumLimits.PageSize + 1;

    /// The topic and page a post is on, when the viewer may see it.
    public async Task<(Guid TopicId, int Page)?> LocateAsync(ForumViewer viewer, Guid postId, CancellationToken ct = default)
    {
        var post = await db.ForumPosts.AsNoTracking().Where(p => p.Id == postId).Select(p => new { p.TopicId, p.Position }).SingleOrDefaultAsync(ct);
        if (post is null || !await VisibleTopics(viewer).AnyAsync(t => t.Id == post.TopicId, ct) || !await VisiblePosts(viewer, post.TopicId).AnyAsync(p => p.Position == post.Position, ct)) return null;
        return (post.TopicId, await PageOfAsync(viewer, post.TopicId, post.Position, ct));
    }

    public async Task<PostView?> PostAsync(ForumViewer viewer, Guid postId, CancellationToken ct = default)
    {
        var post = await db.ForumPosts.AsNoTracking().SingleOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null) return null;
        if (!await VisiblePosts(viewer, post.TopicId).AnyAsync(p => p.Id == postId, ct) || !await VisibleTopics(viewer).AnyAsync(t => t.Id == post.TopicId, ct)) return null;
        return View(post, []);
    }

    private static PostView View(ForumPost p, HashSet<Guid> liked) =>
        new(p.Id, p.Position, p.AuthorName, p.AuthorMemberId is not null, p.IsOfficial, p.Html, p.Markdown, p.CreatedAt, p.State, p.HeldReason, p.LikeCount,
            liked.Contains(p.Id), p.ModerationReason, p.SpamScore, p.ToxicityScore, p.EditedAt, p.EditedByName);

    /// Remembers how far the member has read (trust levels count it) and returns how far they had read before
    /// (null: never). Reading a page again costs one indexed read; reading further, one upsert that only moves
    /// forward (two tabs at once cannot move it back) and, only when the reading thresholds of the member's next
    /// trust level may now be met, the recount.
    private async Task<int?> RecordReadAsync(MemberView member, Guid topicId, int highest, CancellationToken ct)
    {
        var before = await db.ForumTopicReads.AsNoTracking().Where(r => r.MemberId == member.Id && r.TopicId == topicId)
            .Select(r => (int?)r.HighestPosition).SingleOrDefaultAsync(ct);
        if (before >= highest) return before;
        var at = db.Model.FindEntityType(typeof(ForumTopicRead))!.FindProperty(nameof(ForumTopicRead.At))!.GetTypeMapping().Converter is { } converter
            ? converter.ConvertToProvider(DateTimeOffset.UtcNow) : DateTimeOffset.UtcNow; // SQLite stores it as a number
        var moved = await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "ForumTopicReads" ("MemberId", "TopicId", "HighestPosition", "At") VALUES ({0}, {1}, {2}, {3})
            ON CONFLICT ("MemberId", "TopicId") DO UPDATE SET "HighestPosition" = excluded."HighestPosition", "At" = excluded."At"
            WHERE "ForumTopicReads"."HighestPosition" < excluded."HighestPosition"
            """, [member.Id, topicId, highest, at!], ct);
        if (moved > 0) await trust.AfterReadingAsync(member.Id, member.Trust, ct);
        return before;
    }

    /// Published posts whose text (or topic title) contains every word of the query, newest first.
    public async Task<List<SearchHit>> SearchAsync(string query, int take = 50, CancellationToken ct = default)
    {
        var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(w => w.Length >= 2).Take(6).ToList();
        if (words.Count == 0) return [];
        var q = from p in db.ForumPosts.AsNoTracking()
                join t in db.ForumTopics on p.TopicId equals t.Id
                where p.State == PostState.Visible && t.State == PostState.Visible
                select new { p, t };
        foreach (var w in words)
        {
            var pattern = "%" + w.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            q = db.Provider == DatabaseProvider.Postgres
                ? q.Where(x => EF.Functions.ILike(x.p.Text, pattern, "\\") || EF.Functions.ILike(x.t.Title, pattern, "\\"))
                : q.Where(x => EF.Functions.Like(x.p.Text, pattern, "\\") || EF.Functions.Like(x.t.Title, pattern, "\\"));
        }
        var rows = await q.OrderByDescending(x => x.p.CreatedAt).Take(take)
            .Select(x => new { x.t.Id, x.t.Title, PostId = x.p.Id, x.p.Position, x.p.AuthorName, x.p.CreatedAt, x.p.Text }).ToListAsync(ct);
        return rows.Select(r => new SearchHit(r.Id, r.Title, r.PostId, r.Position, r.AuthorName, r.CreatedAt, Excerpt(r.Text, words[0]))).ToList();
    }

    private static string Excerpt(string text, string word)
    {
        var at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase);
        var start = Math.Max(0, at - 80);
        var excerpt = text.Substring(start, Math.Min(240, text.Length - start));
        return (start > 0 ? "…" : "") + excerpt + (start + excerpt.Length < text.Length ? "…" : "");
    }

    public async Task<MemberProfile?> ProfileAsync(string username, CancellationToken ct = default)
    {
        var key = MemberAccounts.UsernameKey(username);
        var m = await db.ForumMembers.AsNoTracking().SingleOrDefaultAsync(x => x.UsernameKey == key && x.EmailConfirmedAt != null, ct);
        if (m is null) return null;
        var posts = from p in db.ForumPosts.AsNoTracking()
                    join t in db.ForumTopics on p.TopicId equals t.Id
                    where p.AuthorMemberId == m.Id && p.State == PostState.Visible && t.State == PostState.Visible
                    select new { p, t };
        var recent = await posts.OrderByDescending(x => x.p.CreatedAt).Take(20)
            .Select(x => new { x.t.Id, x.t.Title, PostId = x.p.Id, x.p.Position, x.p.AuthorName, x.p.CreatedAt, x.p.Text }).ToListAsync(ct);
        return new MemberProfile(m.Username, m.Trust, m.EmailConfirmedAt ?? m.CreatedAt,
            await posts.CountAsync(ct), await posts.CountAsync(x => x.p.Position == 1, ct),
            await posts.SumAsync(x => (int?)x.p.LikeCount, ct) ?? 0,
            await posts.CountAsync(x => x.t.AcceptedPostId == x.p.Id, ct),
            recent.Select(r => new SearchHit(r.Id, r.Title, r.PostId, r.Position, r.AuthorName, r.CreatedAt, r.Text.Length > 240 ? r.Text[..240] + "…" : r.Text)).ToList());
    }
}
