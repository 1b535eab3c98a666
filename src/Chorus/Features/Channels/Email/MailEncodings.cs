using System.Runtime.CompilerServices;
using System.Text;

namespace Chorus.Features.Channels.Email;

/// .NET knows only Unicode and a few Western charsets until the code-page provider is registered
/// (ISO-2022-JP, windows-1251, GB2312, KOI8-R ...). MimeKit builds its charset table once, the
/// first time it parses anything, so the provider must be in place before that: at module load.
internal static class MailEncodings
{
    [ModuleInitializer]
    internal static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
