using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Chorus.Features.Notifications;

/// Absolute links for e-mails, which are read far from any request. `Chorus:PublicUrl` is the address
/// people reach Chorus at (https://support.example.com); without it, the first address this server
/// listens on, which is right for a single machine and wrong behind a proxy.
public sealed class PublicUrls(IConfiguration config, IServer server)
{
    public string Base
    {
        get
        {
            if (config["Chorus:PublicUrl"] is { Length: > 0 } configured) return configured.TrimEnd('/');
            var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (listening is null) return "http://localhost:5000";
            // "http://0.0.0.0:5000" or "http://[::]:5000" are where we listen, not where a browser goes.
            return listening.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost").Replace("://+", "://localhost")
                .Replace("://*", "://localhost").TrimEnd('/');
        }
    }

    public string To(string path) => Base + (path.StartsWith('/') ? path : "/" + path);

    public string Conversation(long number) => To($"/conversations/{number}");
}
