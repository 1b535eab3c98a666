using System.Net;
using Chorus.Features.Channels.WebForm;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;

namespace Chorus.Tests;

/// The key ring that signs requester links and encrypts mailbox passwords lives in the database, so
/// every node shares it; the ring earlier versions kept under the data directory comes along on start.
public class KeyRingTests
{
    [Theory, Providers]
    public async Task A_requester_link_signed_with_the_key_ring_an_older_version_kept_on_disk_still_opens(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        // The older version: its ring under the data directory, with a key already made.
        var onDisk = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(app.DataDirectory, "keys")), b => b.SetApplicationName("Chorus"));
        onDisk.CreateProtector("warm-up").Protect("x"u8.ToArray());

        var admin = await app.StaffAsync("admin"); // starts Chorus, which imports that ring
        var delivered = await admin.DeliverAsync("keyring-1", subject: "Old link");
        var oldLink = new RequesterLinks(onDisk).PathFor(delivered.ConversationId);

        var visitor = app.CreateClient();
        var page = await visitor.GetAsync(oldLink);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Old link", await page.Content.ReadAsStringAsync());
        // A link that no ring signed stays closed.
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync(oldLink[..^4] + "AAAA")).StatusCode);
    }
}
