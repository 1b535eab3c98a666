using Microsoft.AspNetCore.DataProtection;
using Chorus.Common;

namespace Chorus.Features.Channels.WebForm;

/// The requester's private link to follow and answer their conversation: the conversation id,
/// encrypted and signed with the workspace's Data Protection keys. Unguessable, unforgeable,
/// needs no stored secret, and works on every node that shares the key ring.
public sealed class RequesterLinks(IDataProtectionProvider protection)
{
    private readonly SignedGuid _ids = new(protection, "Chorus.RequesterLink.v1");

    public string TokenFor(Guid conversationId) => _ids.TokenFor(conversationId);

    public string PathFor(Guid conversationId) => "/requests/" + TokenFor(conversationId);

    public Guid? Resolve(string? token) => _ids.Resolve(token);
}
