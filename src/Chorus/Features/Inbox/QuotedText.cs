using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Chorus.Features.Inbox;

/// Finds where an e-mail's own words end and the quoted history or signature begins, so the thread
/// can show the new part with a toggle for the rest. It only reads: the stored text and HTML stay the
/// full original. Plain text: an attribution line ("On … wrote:", and its German, French, Spanish,
/// Dutch forms), Outlook's "-----Original Message-----" or "From:/Sent:" header block, a trailing
/// block of "&gt;" lines, the "-- " signature delimiter. HTML: Gmail's gmail_quote and signature,
/// blockquote type="cite" (Apple Mail, Thunderbird) with the attribution line before it,
/// Thunderbird's moz-cite-prefix and moz-signature, Outlook's reply header (divRplyFwdMsg, the
/// border-top "From:" block), Yahoo's and Proton's quote containers.
/// A bottom-posted reply (quote first, answer below) shows the answer. Nothing is hidden when the
/// new part would be empty (a bare forward) or when quoted lines are answered in between (inline replies).
public static partial class QuotedText
{
    /// The new part of a plain-text message, or null when there is nothing to collapse.
    public static string? NewPartOfText(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        // Bottom-posted (Thunderbird's default): the quote comes first, the answer after it.
        if (AfterLeadingQuote(lines) is { } answer) return NewPartOfText(answer) ?? answer;
        var cut = -1;
        for (var i = 0; i < lines.Length && cut < 0; i++)
        {
            var line = lines[i].TrimEnd();
            if (lines[i] is "-- " or "--") cut = i;
            else if (OriginalMessage().IsMatch(line)) cut = i;
            else if (Attribution().IsMatch(line) || (i + 1 < lines.Length && !lines[i + 1].StartsWith('>') && AttributionStart().IsMatch(line)
                                                     && Attribution().IsMatch(line + " " + lines[i + 1].Trim())))
            {
                if (QuotedFrom(lines, i + (Attribution().IsMatch(line) ? 1 : 2)) || HeaderBlockAt(lines, i + 1) >= 0 || i + 1 >= lines.Length) cut = i;
            }
            else if (line.StartsWith('>') && QuotedFrom(lines, i)) cut = i;
            else if (HeaderBlockAt(lines, i) == i) cut = i;
            else if (Underline().IsMatch(line) && HeaderBlockAt(lines, i + 1) == i + 1) cut = i;
        }
        if (cut <= 0) return null;
        var visible = string.Join('\n', lines[..cut]).TrimEnd();
        return visible.Trim().Length == 0 ? null : visible;
    }

    /// The new part of an HTML message (as HTML), or null when there is nothing to collapse.
    public static string? NewPartOfHtml(string html)
    {
        var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><body>" + html + "</body></html>");
        var body = document.Body;
        if (body is null) return null;
        var marker = body.Descendants<IElement>().FirstOrDefault(IsMarker);
        if (marker is null) return null;
        // Apple Mail and Thunderbird put "On …, Ann wrote:" in the element just before the quote.
        if (marker.LocalName == "blockquote" && marker.PreviousElementSibling is { } before && Attribution().IsMatch(Squash(before.TextContent)))
            marker = before;

        // Remove the marker and everything after it, up to the body.
        for (INode? node = marker; node is not null && node != body; node = node.Parent)
        {
            while (node.NextSibling is { } next) next.RemoveFromParent();
        }
        marker.RemoveFromParent();
        // Trailing <br>s and empty blocks that only separated the reply from the quote.
        while (body.LastChild is { } last && (last is IText t ? t.Data.Trim().Length == 0 : last is IElement e && e.LocalName is "br" or "div" or "p" && e.TextContent.Trim().Length == 0 && e.QuerySelector("img") is null))
            last.RemoveFromParent();
        var visible = body.InnerHtml;
        return body.TextContent.Trim().Length == 0 && body.QuerySelector("img") is null ? null : visible;
    }

    /// Classes and ids that start quoted history or a signature; the sanitizer keeps exactly these.
    public static readonly IReadOnlySet<string> MarkerClasses = new HashSet<string>
    {
        "gmail_quote", "gmail_quote_container", "gmail_attr", "gmail_signature", "moz-cite-prefix", "moz-signature",
        "yahoo_quoted", "protonmail_quote", "OutlookMessageHeader",
    };

    public static readonly IReadOnlySet<string> MarkerIds = new HashSet<string> { "divRplyFwdMsg", "appendonsend", "mail-editor-reference-message-container" };

    private static bool IsMarker(IElement e)
    {
        if (e.ClassList.Any(c => c != "gmail_attr" && MarkerClasses.Contains(c))) return true;
        if (e.Id is { } id && MarkerIds.Contains(id)) return true;
        if (e.LocalName == "blockquote" && string.Equals(e.GetAttribute("type"), "cite", StringComparison.OrdinalIgnoreCase)) return true;
        // Outlook desktop: <div style="border:none;border-top:solid #E1E1E1 1.0pt…"><p><b>From:</b> …
        if (e.LocalName == "div" && e.GetAttribute("style") is { } style && style.Contains("border-top", StringComparison.OrdinalIgnoreCase)
            && style.Contains("solid", StringComparison.OrdinalIgnoreCase)
            && HeaderStart().IsMatch(e.TextContent.TrimStart())) return true;
        // "-----Original Message-----" in its own paragraph.
        return e.LocalName is "p" or "div" && e.Children.Length == 0 && OriginalMessage().IsMatch(e.TextContent.Trim());
    }

    /// The answer below a quote that opens the message (an optional attribution line, then only
    /// quoted lines), when nothing further down is quoted again (that would be an inline reply).
    private static string? AfterLeadingQuote(string[] lines)
    {
        var i = 0;
        while (i < lines.Length && lines[i].Trim().Length == 0) i++;
        if (i < lines.Length && Attribution().IsMatch(lines[i].TrimEnd())) i++;
        else if (i + 1 < lines.Length && AttributionStart().IsMatch(lines[i]) && Attribution().IsMatch(lines[i].TrimEnd() + " " + lines[i + 1].Trim())) i += 2;
        var quoteStart = i;
        while (i < lines.Length && (lines[i].TrimStart().StartsWith('>') || lines[i].Trim().Length == 0)) i++;
        if (!lines[quoteStart..i].Any(l => l.TrimStart().StartsWith('>')) || i >= lines.Length) return null;
        if (lines[i..].Any(l => l.TrimStart().StartsWith('>'))) return null;
        var answer = string.Join('\n', lines[i..]).Trim();
        return answer.Length == 0 ? null : answer;
    }

    /// True when every non-blank line from <paramref name="start"/> on is quoted ("&gt;") or a signature.
    private static bool QuotedFrom(string[] lines, int start)
    {
        var any = false;
        for (var j = start; j < lines.Length; j++)
        {
            if (lines[j] is "-- " or "--") return any;
            if (lines[j].Trim().Length == 0) continue;
            if (!lines[j].TrimStart().StartsWith('>')) return false;
            any = true;
        }
        return any;
    }

    /// The line where an Outlook header block ("From: …" then "Sent:/Date:" within three lines) starts at
    /// <paramref name="i"/> (blank lines skipped), or -1.
    private static int HeaderBlockAt(string[] lines, int i)
    {
        while (i < lines.Length && lines[i].Trim().Length == 0) i++;
        if (i >= lines.Length || !HeaderStart().IsMatch(lines[i])) return -1;
        for (var j = i + 1; j < Math.Min(lines.Length, i + 4); j++)
            if (HeaderSent().IsMatch(lines[j])) return i;
        return -1;
    }

    private static string Squash(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"^\s*(On\s.{1,250}\swrote|Am\s.{1,250}\sschrieb\s.{0,100}|Le\s.{1,250}\sa\s[ée]crit|El\s.{1,250}\sescribi[óo]|Op\s.{1,250}\sschreef\s.{0,100})\s?:\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Attribution();

    [GeneratedRegex(@"^\s*(On|Am|Le|El|Op)\s", RegexOptions.IgnoreCase)]
    private static partial Regex AttributionStart();

    [GeneratedRegex(@"^\s*-{3,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Forwarded message)\s*-{3,}\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^\s*\*?(From|Von|De)\s?\*?:\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex HeaderStart();

    [GeneratedRegex(@"^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado)\s?\*?:\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex HeaderSent();

    [GeneratedRegex(@"^_{10,}\s*$")]
    private static partial Regex Underline();
}
