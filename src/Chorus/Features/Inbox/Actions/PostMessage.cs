using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels.Email;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Notifications;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Actions;

public enum PostKind { Reply, Note }

/// What a staff member writes in a conversation, in Markdown. A reply goes to the requester on the
/// conversation's channel; a note stays on the staff side.
public sealed record StaffPost(PostKind Kind, string Text, ConversationStatus? StatusAfter = null, IReadOnlyList<UploadedFile>? Files = null);

/// A file a staff member attaches to a reply or note. Size is what the client declared (checked
/// first, for a quick clear error); the store checks the real length while it reads.
public sealed record UploadedFile(string FileName, string? ContentType, long Size, Func<Stream> Open);

public sealed record PostedMessage(Guid MessageId, int Version, IReadOnlyList<string> MentionedStaffIds);

/// Posts a public reply or an internal note. @mentions in a note notify those colleagues (any team)
/// and put the conversation in their Mentions view.
public partial class PostMessage(ChorusDb db, HtmlCleaner html, RecordAudit audit, InboxEvents events, QueueEmailReply email, AttachmentStore store, QueueStaffEmail staffEmail, Automation.RuleTriggers rules,
    Community.Bridge.QueueForumReply forumReply, Listening.Engage.QueueSocialReply socialReply)
{
    public const int MaxLength = 50_000;
    public const int MaxFiles = 10;

    public async Task<Outcome<PostedMessage>> RunAsync(StaffActor actor, long number, StaffPost post, CancellationToken ct = default)
    {
        // No version is asked for, so a conversation someone else changed between our read and our write (a new inbound
        // message, a colleague's note) is no reason to refuse the post: it is written again onto the fresh conversation.
        // Files are read once, so a post with files is not.
        for (var attempt = 1; ; attempt++)
            if (await AttemptAsync(actor, number, post, attempt < 3 && post.Files is not { Count: > 0 }, ct) is { } outcome)
                return outcome;
    }

    /// One try; null when the conversation changed meanwhile and <paramref name="mayRetry"/> (nothing was saved, nothing is tracked).
    private async Task<Outcome<PostedMessage>?> AttemptAsync(StaffActor actor, long number, StaffPost post, bool mayRetry, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(post.Text)) return Outcome<PostedMessage>.Invalid.One("text", "Write something first.");
        if (post.Text.Length > MaxLength) return Outcome<PostedMessage>.Invalid.One("text", $"A message is at most {MaxLength:N0} characters.");
        var files = post.Files ?? [];
        if (CheckFiles(files) is { } tooMuch) return Outcome<PostedMessage>.Invalid.One("files", tooMuch);
        var (c, _, failure) = await ConversationGuard.LoadForWorkAsync<PostedMessage>(db, actor, number, null, ct);
        if (c is null) return failure!;
        if (c.MergedIntoId is not null) return new Outcome<PostedMessage>.Conflict($"#{number} was merged into another conversation; write there instead.");

        var text = post.Text.Trim();
        var statusBefore = c.Status;
        var message = new Message
        {
            ConversationId = c.Id, ChannelId = c.ChannelId, Kind = post.Kind == PostKind.Reply ? MessageKind.Reply : MessageKind.Note,
            AuthorStaffId = actor.Id, Text = text, Html = html.MarkdownToHtml(text),
        };
        db.Messages.Add(message);
        c.MessageCount++;
        c.LastMessageAt = message.CreatedAt;
        // Stored before the transaction: a file whose message then fails to save is never pointed at.
        var attached = new List<MessageAttachment>();
        foreach (var file in files)
        {
            await using var content = file.Open();
            if (await store.SaveAsync(content, store.MaxFileBytes, ct) is not AttachmentStore.SaveResult.Stored stored)
                return Outcome<PostedMessage>.Invalid.One("files", $"{file.FileName} is larger than {AttachmentTypes.Size(store.MaxFileBytes)}, the limit per file.");
            var name = AttachmentTypes.CleanFileName(file.FileName, $"attachment-{attached.Count + 1}");
            attached.Add(new MessageAttachment
            {
                MessageId = message.Id, Position = attached.Count, FileName = name, ContentType = UploadedType(file.ContentType, name), Size = stored.Size,
                ContentHash = stored.Hash, CreatedAt = message.CreatedAt,
            });
        }
        if (attached.Sum(a => a.Size) > store.MaxTotalBytes)
            return Outcome<PostedMessage>.Invalid.One("files", $"Together the files are larger than {AttachmentTypes.Size(store.MaxTotalBytes)}, the limit per message.");
        db.MessageAttachments.AddRange(attached);

        var mentioned = new List<string>();
        if (post.Kind == PostKind.Reply)
        {
            // A reply leaves on the conversation's channel: on a mailbox, through the outbox, saved with the reply.
            if (await email.AddAsync(c, message, attached, ct) is { Error: { } unsendable }) return new Outcome<PostedMessage>.Conflict(unsendable);
            // A forum topic's conversation: the reply is posted to the topic as an official staff reply.
            if (await forumReply.AddAsync(c, message, actor, ct) is { Error: { } notPostable }) return new Outcome<PostedMessage>.Conflict(notPostable);
            // From a reddit or Mastodon mention: a public reply to that post, through the source's API.
            if (await socialReply.AddAsync(c, message, ct) is { Error: { } notAnswerable }) return new Outcome<PostedMessage>.Conflict(notAnswerable);
            c.Preview = TextLimits.Preview(text);
            c.WaitingSince = null;
            c.FirstReplyAt ??= message.CreatedAt;
            var after = post.StatusAfter ?? (c.Status is ConversationStatus.New or ConversationStatus.Open ? ConversationStatus.Pending : c.Status);
            if (after != c.Status)
            {
                var statusEvent = ConversationGuard.Event(c, $"{actor.Name} replied and set the status to {after.ToDisplay()}.");
                statusEvent.CreatedAt = message.CreatedAt.AddTicks(1);
                db.Messages.Add(statusEvent);
                c.Status = after;
                if (after is ConversationStatus.Solved) c.SolvedAt = DateTimeOffset.UtcNow;
            }
        }
        else
        {
            if (c.Status == ConversationStatus.New) c.Status = ConversationStatus.Open;
            mentioned = await ResolveMentionsAsync(text, ct);
            // A colleague outside a private team is not told (the notification would quote the note).
            foreach (var staffId in mentioned.ToList())
                if (!await ConversationGuard.StaffCanSeeAsync(db, staffId, c.TeamId, ct)) mentioned.Remove(staffId);
            foreach (var staffId in mentioned.Where(id => id != actor.Id))
            {
                db.Notifications.Add(new Notification
                {
                    StaffUserId = staffId, Kind = NotificationKinds.Mention, ConversationId = c.Id, MessageId = message.Id,
                    Text = $"{actor.Name} mentioned you in #{c.Number}: {TextLimits.Preview(text)}",
                });
                if (c.Followers.All(f => f.StaffUserId != staffId)) c.Followers.Add(new ConversationFollower { ConversationId = c.Id, StaffUserId = staffId });
            }
            // And by e-mail (for those who did not turn it off), saved with the note.
            await staffEmail.MentionAsync(c, actor.Name, mentioned.Where(id => id != actor.Id).ToList(), text, ct);
        }
        audit.Add(actor, post.Kind == PostKind.Reply ? "conversation.replied" : "conversation.noted", "conversation", c.Number.ToString(),
            attached.Count == 0 ? null : "Attached: " + string.Join(", ", attached.Select(a => $"{a.FileName} ({AttachmentTypes.Size(a.Size)})")));
        if (c.Status != statusBefore) rules.StatusChanged(db, c.Id); // stored with the message, evaluated after it
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException) when (mayRetry)
        {
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged || e.Entity == c).ToList())
                entry.State = EntityState.Detached;
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Outcome<PostedMessage>.Conflict(ConversationGuard.ConflictMessage(number));
        }
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return new PostedMessage(message.Id, c.Version, mentioned);
    }

    /// What is wrong with the declared sizes, before anything is read; null when they fit.
    private string? CheckFiles(IReadOnlyList<UploadedFile> files)
    {
        if (files.Count > MaxFiles) return $"Attach at most {MaxFiles} files to one message.";
        if (files.FirstOrDefault(f => f.Size > store.MaxFileBytes) is { } big)
            return $"{big.FileName} is {AttachmentTypes.Size(big.Size)}; a file can be at most {AttachmentTypes.Size(store.MaxFileBytes)}.";
        if (files.Sum(f => f.Size) > store.MaxTotalBytes)
            return $"Together the files are {AttachmentTypes.Size(files.Sum(f => f.Size))}; one message can carry at most {AttachmentTypes.Size(store.MaxTotalBytes)}.";
        return null;
    }

    /// The type the client declared when it looks like one, else the one its name suggests.
    private static string UploadedType(string? declared, string fileName) =>
        declared is { Length: > 2 and <= 100 } t && MimeTypePattern().IsMatch(t) ? t.ToLowerInvariant() : MimeKit.MimeTypes.GetMimeType(fileName);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")]
    private static partial Regex MimeTypePattern();

    /// `@maya` matches the staff user whose sign-in name starts with "maya@", or whose display name
    /// without spaces is "maya" (case-insensitive).
    private async Task<List<string>> ResolveMentionsAsync(string text, CancellationToken ct)
    {
        var handles = MentionPattern().Matches(text).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().ToList();
        if (handles.Count == 0) return [];
        var staff = await db.Users.AsNoTracking().Select(u => new { u.Id, u.UserName, u.DisplayName }).ToListAsync(ct);
        return staff.Where(u => handles.Any(h =>
                (u.UserName ?? "").Split('@')[0].Equals(h, StringComparison.OrdinalIgnoreCase)
                || u.DisplayName.Replace(" ", "").Equals(h, StringComparison.OrdinalIgnoreCase)
                || u.DisplayName.Split(' ')[0].Equals(h, StringComparison.OrdinalIgnoreCase)))
            .Select(u => u.Id).ToList();
    }

    // A handle ends with a letter or digit, so "@maya." at the end of a sentence is @maya.
    [GeneratedRegex(@"(?<![\w@])@([A-Za-z](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?)")]
    private static partial Regex MentionPattern();
}
