using System.Net;
using System.Net.Sockets;

namespace Muesli.Host.Tests;

/// <summary>Ports and HTTP answers of the node processes under test.</summary>
public static class Probes
{
    /// <summary>A loopback port that nothing listens on at the moment.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// GETs <paramref name="path"/> until it answers <paramref name="wanted"/> (null: anything but 200, or no answer),
    /// or <paramref name="limit"/> has passed; returns the last answer (null: none).
    /// </summary>
    public static async Task<HttpStatusCode?> PollAsync(HttpClient http, string path, HttpStatusCode? wanted, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = (await http.GetAsync(path)).StatusCode;
            }
            catch (HttpRequestException)
            {
                last = null;
            }

            if (wanted is null ? last != HttpStatusCode.OK : last == wanted)
            {
                return last;
            }

            await Task.Delay(100);
        }

        return last;
    }
}
