using System.ComponentModel.DataAnnotations;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.WebForm;

public sealed class ContactInput
{
    [Required(ErrorMessage = "Tell us your name.")]
    [StringLength(200, ErrorMessage = "Your name is at most 200 characters.")]
    public string? Name { get; set; }

    [Required(ErrorMessage = "We need your e-mail address to answer you.")]
    [StringLength(320)]
    public string? Email { get; set; }

    [Required(ErrorMessage = "Add a subject.")]
    [StringLength(200, ErrorMessage = "The subject is at most 200 characters.")]
    public string? Subject { get; set; }

    [Required(ErrorMessage = "Write your message.")]
    [StringLength(20_000, MinimumLength = 2, ErrorMessage = "The message is 2 to 20,000 characters.")]
    public string? Message { get; set; }

    /// Hidden from people; bots fill it in.
    public string? Website { get; set; }

    /// Generated when the form is rendered: submitting the same form twice creates one conversation.
    public Guid RequestId { get; set; }
}

/// EmailSent: whether a confirmation with the private link is on its way (false when no mailbox sends notification e-mail).
public sealed record WebFormReceipt(long Number, string PrivatePath, bool EmailSent);

/// Files a web-form submission as a conversation through the ingest pipeline.
public class SubmitWebForm(ChorusDb db, IngestPipeline pipeline, RequesterLinks links, SendWebFormConfirmation confirmation, ILogger<SubmitWebForm> log)
{
    public async Task<Outcome<WebFormReceipt>> RunAsync(ContactInput input, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(input.Website))
        {
            log.LogInformation("Web form honeypot filled; submission dropped");
            return Outcome<WebFormReceipt>.Invalid.One("form", "Your message could not be sent.");
        }
        if (!EmailAddress.IsValid(input.Email?.Trim())) return Outcome<WebFormReceipt>.Invalid.One(nameof(input.Email), "That e-mail address does not look right.");
        var channel = await db.Channels.AsNoTracking().Where(c => c.Kind == ChannelKind.WebForm && c.Enabled).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        if (channel is null) return new Outcome<WebFormReceipt>.Forbidden("The contact form is switched off.");
        var requestId = input.RequestId == Guid.Empty ? Guid.NewGuid() : input.RequestId;
        var result = await pipeline.IngestAsync(new InboundEnvelope(channel.Value, "form:" + requestId, "form:" + requestId,
            new InboundAuthor(IdentityKind.Email, input.Email!.Trim(), input.Name?.Trim()), DateTimeOffset.UtcNow,
            input.Subject?.Trim(), input.Message, null), ct);
        if (result.Status == IngestStatus.Rejected) return Outcome<WebFormReceipt>.Invalid.One("form", result.Error ?? "Your message could not be sent.");
        // Kept for the admins' blocked list, but no conversation and no private link for a blocked sender.
        if (result.Status == IngestStatus.Blocked) return new Outcome<WebFormReceipt>.Forbidden("Your message could not be sent from this address.");
        // Also for a repeated submission (Duplicate): the confirmation is sent once per conversation, and
        // a request that failed after filing gets it on its retry.
        var emailed = await confirmation.RunAsync(result.ConversationId, input.Email!.Trim(), input.Name?.Trim(), ct);
        return new WebFormReceipt(result.ConversationNumber, links.PathFor(result.ConversationId), emailed);
    }
}
