using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Notifications;
using Chorus.Features.People;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Members;

public sealed class SignUpInput
{
    [Required(ErrorMessage = "Choose a username.")]
    [StringLength(20, MinimumLength = 3, ErrorMessage = "A username is 3 to 20 characters.")]
    public string? Username { get; set; }

    [Required(ErrorMessage = "Enter your e-mail address: we send a link to confirm it.")]
    [StringLength(320)]
    public string? Email { get; set; }

    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(200, MinimumLength = 10, ErrorMessage = "A password is at least 10 characters.")]
    public string? Password { get; set; }

    /// Hidden from people; bots fill it in.
    public string? Website { get; set; }
}

public sealed class SignInInput
{
    [Required(ErrorMessage = "Enter your e-mail.")] public string? Email { get; set; }
    [Required(ErrorMessage = "Enter your password.")] public string? Password { get; set; }
}

/// Sign-up, e-mail confirmation and sign-in of forum members.
public partial class MemberAccounts(ChorusDb db, ManageEmailNotifications notifications, PublicUrls urls, IDataProtectionProvider protection,
    Community.Sanctions.MemberStanding standing, ILogger<MemberAccounts> log)
{
    private static readonly TimeSpan ConfirmationValidFor = TimeSpan.FromDays(3);
    private static readonly PasswordHasher<ForumMember> Hasher = new();
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    private ITimeLimitedDataProtector Tokens => protection.CreateProtector("Chorus.Forum.ConfirmEmail").ToTimeLimitedDataProtector();

    public static string UsernameKey(string username) => username.Trim().ToLowerInvariant();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{1,18}[A-Za-z0-9_]$")]
    public static partial Regex UsernamePattern();

    /// Creates the (unconfirmed) account and e-mails the confirmation link. An address that already has an
    /// account gets the same answer (no one learns who is a member); an unconfirmed one gets a new link.
    public async Task<Outcome<string>> SignUpAsync(SignUpInput input, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(input.Website))
        {
            log.LogInformation("Forum sign-up honeypot filled; dropped");
            return Outcome<string>.Invalid.One("form", "Your account could not be created.");
        }
        var username = input.Username?.Trim() ?? "";
        if (!UsernamePattern().IsMatch(username))
            return Outcome<string>.Invalid.One(nameof(input.Username), "A username is 3 to 20 letters, digits, dots, dashes or underscores, starting with a letter or digit.");
        var email = input.Email?.Trim().ToLowerInvariant() ?? "";
        if (!EmailAddress.IsValid(email)) return Outcome<string>.Invalid.One(nameof(input.Email), "That e-mail address does not look right.");
        if (input.Password is not { Length: >= 10 }) return Outcome<string>.Invalid.One(nameof(input.Password), "A password is at least 10 characters.");
        if (await notifications.SendingMailboxAsync(ct) is null)
            return new Outcome<string>.Forbidden("Sign-up is closed for now: this forum cannot send e-mail yet. Please try again later.");

        var existing = await db.ForumMembers.SingleOrDefaultAsync(m => m.Email == email, ct);
        if (existing is not null)
        {
            if (existing.EmailConfirmedAt is null) await QueueConfirmationAsync(existing, ct);
            return email;
        }
        var key = UsernameKey(username);
        if (await db.ForumMembers.AnyAsync(m => m.UsernameKey == key, ct))
            return Outcome<string>.Invalid.One(nameof(input.Username), $"The username {username} is taken. Try another one.");
        var member = new ForumMember { Username = username, UsernameKey = key, Email = email };
        member.PasswordHash = Hasher.HashPassword(member, input.Password);
        db.ForumMembers.Add(member);
        try
        {
            await QueueConfirmationAsync(member, ct); // saves the member and its e-mail together
        }
        catch (DbUpdateException)
        {
            // The same username or address signed up at the same moment in another request.
            db.ChangeTracker.Clear();
            if (await db.ForumMembers.AnyAsync(m => m.Email == email, CancellationToken.None)) return email;
            return Outcome<string>.Invalid.One(nameof(input.Username), $"The username {username} is taken. Try another one.");
        }
        return email;
    }

    /// The member a confirmation link names; null when it is forged, expired or for a changed address.
    public async Task<ForumMember?> ReadTokenAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token)) return null;
        string payload;
        try { payload = Tokens.Unprotect(token); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
        var parts = payload.Split('|', 2);
        if (parts.Length != 2 || !Guid.TryParse(parts[0], out var id)) return null;
        return await db.ForumMembers.SingleOrDefaultAsync(m => m.Id == id && m.Email == parts[1], ct);
    }

    /// Confirms the address and makes the member a person: the one whose e-mail identity it is (so support
    /// sees their posts beside their tickets), or a new one. Idempotent: a second click changes nothing.
    public async Task<Outcome<ForumMember>> ConfirmAsync(string? token, CancellationToken ct = default)
    {
        var member = await ReadTokenAsync(token, ct);
        if (member is null) return new Outcome<ForumMember>.Forbidden("This confirmation link is not valid (links work for three days). Sign up again with the same address to get a new one.");
        if (member.EmailConfirmedAt is not null) return member;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var personId = await db.Identities.Where(i => i.Kind == IdentityKind.Email && i.Handle == member.Email).Select(i => (Guid?)i.PersonId).FirstOrDefaultAsync(ct);
        if (personId is { } pid)
        {
            // A merged person's identities moved to the person it was merged into; follow that.
            personId = await db.People.Where(p => p.Id == pid).Select(p => p.MergedIntoId ?? p.Id).SingleAsync(ct);
        }
        else
        {
            var person = new Person { Name = member.Username, Kind = PersonKind.Fan };
            person.Identities.Add(new Identity { Kind = IdentityKind.Email, Handle = member.Email });
            db.People.Add(person);
            personId = person.Id;
        }
        var forumHandle = Identity.Normalize(IdentityKind.Forum, member.Username);
        if (!await db.Identities.AnyAsync(i => i.Kind == IdentityKind.Forum && i.Handle == forumHandle, ct))
            db.Identities.Add(new Identity { PersonId = personId.Value, Kind = IdentityKind.Forum, Handle = forumHandle, DisplayName = member.Username });
        db.Activities.Add(new Activity { PersonId = personId.Value, Kind = ForumActivities.Joined, Summary = $"Joined the community forum as @{member.Username}." });
        member.PersonId = personId;
        member.EmailConfirmedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return member;
    }

    public async Task<Outcome<ForumMember>> SignInAsync(SignInInput input, CancellationToken ct = default)
    {
        var email = input.Email?.Trim().ToLowerInvariant() ?? "";
        var member = await db.ForumMembers.SingleOrDefaultAsync(m => m.Email == email, ct);
        const string wrong = "The e-mail or password is not right.";
        if (member is null)
        {
            Hasher.VerifyHashedPassword(new ForumMember(), DummyHash, input.Password ?? ""); // same time as a real check
            return Outcome<ForumMember>.Invalid.One("form", wrong);
        }
        if (member.LockedUntil > DateTimeOffset.UtcNow)
            return new Outcome<ForumMember>.Forbidden("Too many failed attempts. This account is locked for a few minutes.");
        if (Hasher.VerifyHashedPassword(member, member.PasswordHash, input.Password ?? "") == PasswordVerificationResult.Failed)
        {
            member.FailedSignIns++;
            if (member.FailedSignIns >= MaxFailedSignIns)
            {
                member.LockedUntil = DateTimeOffset.UtcNow + Lockout;
                member.FailedSignIns = 0;
                log.LogWarning("Forum sign-in locked out for member {Member}", member.Id);
            }
            await db.SaveChangesAsync(ct);
            return Outcome<ForumMember>.Invalid.One("form", wrong);
        }
        if (member.EmailConfirmedAt is null)
        {
            await QueueConfirmationAsync(member, ct);
            return new Outcome<ForumMember>.Forbidden("Confirm your e-mail address first: we sent you the link again.");
        }
        // Told only after the password is right: a suspension is nobody else's business.
        if (await standing.WhyCannotSignInAsync(member.Id, ct) is { } suspended) return new Outcome<ForumMember>.Forbidden(suspended);
        member.FailedSignIns = 0;
        member.LockedUntil = null;
        member.LastSeenAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
        return member;
    }

    internal static string Hash(ForumMember member, string password) => Hasher.HashPassword(member, password);

    private static readonly string DummyHash = Hasher.HashPassword(new ForumMember(), Guid.NewGuid().ToString());

    /// The confirmation token a link carries (tests and the e-mail use the same one).
    internal string ConfirmationToken(ForumMember member) => Tokens.Protect($"{member.Id}|{member.Email}", ConfirmationValidFor);

    /// Queued in the outbox with the member (one unit of work): sent once, with retries, like every mail.
    private async Task QueueConfirmationAsync(ForumMember member, CancellationToken ct)
    {
        if (await notifications.SendingMailboxAsync(ct) is not { } mailbox)
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        var token = ConfirmationToken(member);
        var link = urls.To("/forum/confirm?token=" + Uri.EscapeDataString(token));
        var text = $"""
            Hello {member.Username},

            Welcome to the community! Confirm your e-mail address to start posting:
            {link}

            The link works for three days. If you did not sign up, ignore this e-mail: nothing happens without the link.
            """;
        var html = $"""
            <p>Hello {OutgoingEmail.Encode(member.Username)},</p>
            <p>Welcome to the community! Confirm your e-mail address to start posting:</p>
            <p><a href="{OutgoingEmail.Encode(link)}">Confirm my e-mail address</a></p>
            <p style="color:#666;font-size:small">The link works for three days. If you did not sign up, ignore this e-mail: nothing happens without the link.</p>
            """;
        var mime = OutgoingEmail.Compose(mailbox, "Community", member.Username, member.Email, "Confirm your e-mail address for the community", text, html);
        OutgoingEmail.MarkAutomatic(mime);
        OutgoingEmail.Queue(db, mailbox, null, OutboxPurpose.MemberEmail, mime);
        await db.SaveChangesAsync(ct);
    }
}

public static class ForumActivities
{
    public const string Joined = "forum.joined";
    public const string Topic = "forum.topic";
    public const string Reply = "forum.reply";
}
