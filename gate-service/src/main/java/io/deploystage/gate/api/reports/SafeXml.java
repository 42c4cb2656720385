package io.deploystage.gate.api.reports;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses untrusted XML with the JDK's parser: DOCTYPE allowed (JaCoCo and Cobertura declare one) but never loaded,
 * no external entities, secure processing limits on entity expansion.
 */
final class SafeXml {

    private SafeXml() {
    }

    static Element parse(byte[] body, String format) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            Document document = builder.parse(new ByteArrayInputStream(body));
            return document.getDocumentElement();
        } catch (SAXParseException e) {
            throw new ReportRejected("not well-formed " + format + " XML: " + e.getMessage(),
                    "line " + e.getLineNumber() + ", column " + e.getColumnNumber());
        } catch (SAXException | IOException e) {
            throw new ReportRejected("not readable " + format + " XML: " + e.getMessage(), null);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    static double number(Element element, String attribute, String format) {
        String value = element.getAttribute(attribute);
        try {
            double number = Double.parseDouble(value);
            if (Double.isNaN(number) || Double.isInfinite(number) || number < 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new ReportRejected(format + ": attribute " + attribute + "=\"" + value + "\" is not a non-negative number",
                    "<" + element.getTagName() + ">");
        }
    }
}
